using System.Globalization;

namespace PrivilegedAttribution.Landmarks.Datasets;

/// <summary>
/// A simple layout for your own faces: images in a folder and a CSV beside them with a header and the columns
/// <c>image</c> (path relative to the CSV), <c>label</c> (a class name or index), optionally
/// <c>face_x, face_y, face_width, face_height</c> (the face box; without it each image is taken as an aligned face
/// crop) and optionally <c>landmarks</c> ("x0;y0;…;x67;y67"; empty or absent: predicted by
/// <see cref="LandmarkCache"/>). Class names come from the argument or from <c>classes.txt</c> beside the CSV, one
/// a line, in label order. Fields follow RFC 4180: one in double quotes may hold commas and line breaks, with "" for
/// a quote.
/// </summary>
/// <example><code>
/// image,label
/// alice_smile.jpg,Happiness
/// bob_frown.png,Anger
/// </code></example>
public static class GenericCsvLoader
{
    /// <summary>The class list read when no class names are given.</summary>
    public const string ClassFile = "classes.txt";

    private static readonly string[] BoxColumns = ["face_x", "face_y", "face_width", "face_height"];

    /// <summary>Loads a generic CSV.</summary>
    /// <param name="csvPath">The CSV file.</param>
    /// <param name="classNames">The classes in label order; null: read <see cref="ClassFile"/> beside the CSV.</param>
    /// <param name="options">Bad-record policy and image verification.</param>
    /// <exception cref="InvalidDataException">The header lacks a required column or names one twice, or a quoted
    /// field is never closed; the message names the file and line.</exception>
    /// <exception cref="DatasetException">A record is bad and the policy is <see cref="BadRecordPolicy.Fail"/>.
    /// </exception>
    public static FaceDataset Load(string csvPath, IReadOnlyList<string>? classNames = null,
        DatasetLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(csvPath);
        var path = Path.GetFullPath(csvPath);
        var root = Path.GetDirectoryName(path)!;
        classNames ??= ReadClassFile(Path.Combine(root, ClassFile));
        if (classNames.Count < 2)
        {
            throw new ArgumentException(
                $"At least two classes are needed; got {classNames.Count}.", nameof(classNames));
        }

        var builder = new DatasetBuilder(options);
        using var table = CsvTable.Open(path);
        var imageColumn = table.Column("image");
        var labelColumn = table.Column("label");
        var landmarkColumn = table.Column("landmarks");
        var boxColumns = BoxColumns.Select(table.Column).ToArray();
        if (imageColumn < 0 || labelColumn < 0)
        {
            throw new InvalidDataException($"{path}:1: the header must name the columns 'image' and 'label'; got " +
                $"'{string.Join(",", table.Header)}'.");
        }

        if (boxColumns.Any(c => c >= 0) && boxColumns.Any(c => c < 0))
        {
            throw new InvalidDataException($"{path}:1: a face box needs all of {string.Join(", ", BoxColumns)}.");
        }

        foreach (var (lineNumber, fields) in table.Records(builder, extraFieldsAllowed: false))
        {
            var labelText = fields[labelColumn];
            var label = IndexOf(classNames, labelText);
            if (label < 0)
            {
                builder.Problem(path, lineNumber, DatasetProblemKind.LabelOutOfRange,
                    $"label '{labelText}' is neither a class name nor an index in 0–{classNames.Count - 1}");
                continue;
            }

            FaceBox? box = null;
            if (boxColumns[0] >= 0)
            {
                if (!FaceBoxFields.TryXywh(BoxColumns, boxColumns.Select(c => fields[c]).ToArray(), out var read,
                        out var kind, out var problem))
                {
                    builder.Problem(path, lineNumber, kind, problem);
                    continue;
                }

                box = read;
            }

            float[]? landmarks = null;
            if (landmarkColumn >= 0 && fields[landmarkColumn].Length > 0)
            {
                landmarks = PointList.Parse(fields[landmarkColumn]);
                if (landmarks is null || landmarks.Length != 136)
                {
                    builder.Problem(path, lineNumber, DatasetProblemKind.WrongPointCount,
                        landmarks is null
                            ? "landmarks holds a value that is not a finite number in float's range"
                            : $"landmarks holds {landmarks.Length} values where 136 (68 points) are expected");
                    continue;
                }
            }

            if (!builder.IsImagePath(fields[imageColumn], "image", path, lineNumber))
            {
                continue;
            }

            var imagePath = Path.GetFullPath(Path.Combine(root, fields[imageColumn]));
            builder.Add(new FaceRecord(imagePath, label, box, landmarks, path, lineNumber), path, lineNumber);
        }

        return builder.Build(root, classNames);
    }

    private static int IndexOf(IReadOnlyList<string> classNames, string label)
    {
        for (var i = 0; i < classNames.Count; i++)
        {
            if (string.Equals(classNames[i], label, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return int.TryParse(label, NumberStyles.Integer, CultureInfo.InvariantCulture, out var index) &&
               index >= 0 && index < classNames.Count
            ? index
            : -1;
    }

    private static string[] ReadClassFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"No class names were given and '{path}' does not exist: list the classes there, one a line.", path);
        }

        return File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
    }
}
