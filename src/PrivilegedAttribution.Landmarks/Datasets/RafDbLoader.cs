using System.Globalization;

namespace PrivilegedAttribution.Landmarks.Datasets;

/// <summary>Which RAF-DB images to load.</summary>
public enum RafDbImages
{
    /// <summary>Image/aligned/NAME_aligned.jpg, 100×100 aligned crops; the face box is
    /// <see cref="FaceBox.ForAlignedCrop"/>.</summary>
    Aligned,

    /// <summary>Image/original/NAME.jpg with the box of Annotation/boundingbox/NAME_boundingbox.txt.</summary>
    Original,
}

/// <summary>Which part of a dataset to load.</summary>
public enum DatasetSplit
{
    /// <summary>The training images.</summary>
    Train,

    /// <summary>The test images.</summary>
    Test,

    /// <summary>Both.</summary>
    All,
}

/// <summary>
/// The RAF-DB "basic" layout: <c>EmoLabel/list_patition_label.txt</c> (sic: RAF-DB's spelling; lines
/// "train_00001.jpg 5", labels 1–7), <c>Image/aligned</c>, <c>Image/original</c>, and <c>Annotation/</c> with
/// <c>boundingbox/NAME_boundingbox.txt</c> (x1 y1 x2 y2), <c>manual/NAME_manu_attri.txt</c> (5 points, then gender,
/// race and age) and <c>auto/NAME_auto_attri.txt</c> (37 points). RAF-DB has no 68-point landmarks: the records
/// carry none, and <see cref="LandmarkCache"/> predicts them once.
/// </summary>
public static class RafDbLoader
{
    /// <summary>RAF-DB's label file, relative to the basic folder.</summary>
    public const string LabelFile = "EmoLabel/list_patition_label.txt";

    /// <summary>Class names for labels 1–7 (stored as 0–6).</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["Surprise", "Fear", "Disgust", "Happiness", "Sadness", "Anger", "Neutral"];

    private static readonly string[] BoxFields = ["x1", "y1", "x2", "y2"];

    /// <summary>Loads the basic layout under <paramref name="basicFolder"/>.</summary>
    /// <param name="basicFolder">The folder holding EmoLabel, Image and Annotation.</param>
    /// <param name="split">Train (names "train_…"), test ("test_…") or all.</param>
    /// <param name="images">Aligned crops or original images with their bounding boxes.</param>
    /// <param name="options">Bad-record policy and image verification.</param>
    public static FaceDataset Load(string basicFolder, DatasetSplit split = DatasetSplit.Train,
        RafDbImages images = RafDbImages.Aligned, DatasetLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(basicFolder);
        var root = Path.GetFullPath(basicFolder);
        var labelPath = Path.Combine(root, LabelFile);
        if (!File.Exists(labelPath))
        {
            throw new FileNotFoundException(
                $"'{root}' is not a RAF-DB basic folder: {LabelFile} is missing.", labelPath);
        }

        var builder = new DatasetBuilder(options);
        var lines = File.ReadAllLines(labelPath);
        for (var i = 0; i < lines.Length; i++)
        {
            var lineNumber = i + 1;
            var line = lines[i].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 2)
            {
                builder.Problem(labelPath, lineNumber, DatasetProblemKind.MalformedLine,
                    $"expected 'NAME.jpg LABEL', got '{line}'");
                continue;
            }

            var name = fields[0];
            var isTrain = name.StartsWith("train_", StringComparison.Ordinal);
            if (split == DatasetSplit.Train && !isTrain || split == DatasetSplit.Test && isTrain)
            {
                continue;
            }

            if (!int.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var label) ||
                label < 1 || label > ClassNames.Count)
            {
                builder.Problem(labelPath, lineNumber, DatasetProblemKind.LabelOutOfRange,
                    $"label '{fields[1]}' of {name} is not in 1–{ClassNames.Count}");
                continue;
            }

            var stem = Path.GetFileNameWithoutExtension(name);
            if (!CheckPointFile(builder, Path.Combine(root, "Annotation", "manual", stem + "_manu_attri.txt"), 5) ||
                !CheckPointFile(builder, Path.Combine(root, "Annotation", "auto", stem + "_auto_attri.txt"), 37))
            {
                continue;
            }

            FaceBox? box = null;
            string imagePath;
            if (images == RafDbImages.Aligned)
            {
                imagePath = Path.Combine(root, "Image", "aligned", stem + "_aligned.jpg");
            }
            else
            {
                imagePath = Path.Combine(root, "Image", "original", name);
                box = ReadBoundingBox(builder,
                    Path.Combine(root, "Annotation", "boundingbox", stem + "_boundingbox.txt"), labelPath, lineNumber);
                if (box is null)
                {
                    continue;
                }
            }

            builder.Add(new FaceRecord(imagePath, label - 1, box, null, labelPath, lineNumber), labelPath, lineNumber);
        }

        return builder.Build(root, ClassNames);
    }

    /// <summary>Validates an optional annotation file of <paramref name="expected"/> leading "x y" lines (manual
    /// files continue with attribute lines of one value each).</summary>
    private static bool CheckPointFile(DatasetBuilder builder, string path, int expected)
    {
        if (!File.Exists(path))
        {
            return true;
        }

        var lines = File.ReadAllLines(path);
        var points = 0;
        foreach (var line in lines)
        {
            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0)
            {
                continue;
            }

            if (fields.Length != 2 || !PointList.TryParseCoordinate(fields[0], out _) ||
                !PointList.TryParseCoordinate(fields[1], out _))
            {
                break;
            }

            points++;
        }

        if (points != expected)
        {
            builder.Problem(path, points + 1, DatasetProblemKind.WrongPointCount,
                $"{points} points where {expected} are expected");
            return false;
        }

        return true;
    }

    private static FaceBox? ReadBoundingBox(DatasetBuilder builder, string path, string labelPath, int labelLine)
    {
        if (!File.Exists(path))
        {
            builder.Problem(labelPath, labelLine, DatasetProblemKind.MissingAnnotation,
                $"bounding box file '{path}' does not exist");
            return null;
        }

        var line = File.ReadLines(path).FirstOrDefault(l => l.Trim().Length > 0) ?? "";
        var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 4)
        {
            builder.Problem(path, 1, DatasetProblemKind.MalformedLine,
                $"expected 'x1 y1 x2 y2' with x2 > x1 and y2 > y1, got '{line.Trim()}'");
            return null;
        }

        if (!FaceBoxFields.TryCorners(BoxFields, fields, out var box, out var kind, out var problem))
        {
            builder.Problem(path, 1, kind, problem);
            return null;
        }

        return box;
    }
}
