using System.Globalization;

namespace PrivilegedAttribution.Landmarks.Datasets;

/// <summary>
/// AffectNet's CSV layout (training.csv, validation.csv): a header, then
/// <c>subDirectory_filePath, face_x, face_y, face_width, face_height, facial_landmarks, expression, valence,
/// arousal</c>, with the 68 landmarks as "x0;y0;…;x67;y67" in image pixels and expressions 0 Neutral, 1 Happy,
/// 2 Sad, 3 Surprise, 4 Fear, 5 Disgust, 6 Anger, 7 Contempt, 8 None, 9 Uncertain, 10 No-Face.
/// </summary>
public static class AffectNetLoader
{
    /// <summary>Class names of expressions 0–7.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["Neutral", "Happy", "Sad", "Surprise", "Fear", "Disgust", "Anger", "Contempt"];

    private static readonly string[] BoxColumns = ["face_x", "face_y", "face_width", "face_height"];

    private static readonly string[] RequiredColumns =
        ["subDirectory_filePath", .. BoxColumns, "facial_landmarks", "expression"];

    /// <summary>Loads an AffectNet CSV.</summary>
    /// <param name="csvPath">training.csv or validation.csv.</param>
    /// <param name="imageRoot">The folder the file paths are relative to (Manually_Annotated_Images); the CSV's
    /// folder when null.</param>
    /// <param name="classCount">8 (with Contempt) or 7 (Contempt excluded, as most papers do).</param>
    /// <param name="options">Bad-record policy and image verification.</param>
    /// <exception cref="InvalidDataException">The header lacks a required column or names one twice, or a quoted
    /// field is never closed; the message names the file and line.</exception>
    /// <exception cref="DatasetException">A record is bad and the policy is <see cref="BadRecordPolicy.Fail"/>.
    /// </exception>
    public static FaceDataset Load(string csvPath, string? imageRoot = null, int classCount = 8,
        DatasetLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(csvPath);
        if (classCount is not (7 or 8))
        {
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "AffectNet has 7 or 8 classes.");
        }

        var path = Path.GetFullPath(csvPath);
        var root = Path.GetFullPath(imageRoot ?? Path.GetDirectoryName(path)!);
        var builder = new DatasetBuilder(options);
        using var table = CsvTable.Open(path);
        var column = RequiredColumns.ToDictionary(c => c, table.Column);
        var missing = column.Where(c => c.Value < 0).Select(c => c.Key).ToArray();
        if (missing.Length > 0)
        {
            throw new InvalidDataException(
                $"{path}:1: not an AffectNet CSV; missing column(s) {string.Join(", ", missing)}.");
        }

        // Fields beyond the header's columns are ignored.
        foreach (var (lineNumber, fields) in table.Records(builder, extraFieldsAllowed: true))
        {
            if (!FaceBoxFields.TryXywh(BoxColumns, BoxColumns.Select(c => fields[column[c]]).ToArray(),
                    out var faceBox, out var boxKind, out var boxProblem))
            {
                builder.Problem(path, lineNumber, boxKind, boxProblem);
                continue;
            }

            var expressionText = fields[column["expression"]];
            if (!int.TryParse(expressionText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var expression) ||
                expression is < 0 or > 10)
            {
                builder.Problem(path, lineNumber, DatasetProblemKind.LabelOutOfRange,
                    $"expression '{expressionText}' is not in 0–10");
                continue;
            }

            if (expression >= classCount)
            {
                // None, Uncertain and No-Face (and Contempt with 7 classes) are valid records, not expressions.
                builder.Excluded++;
                continue;
            }

            float[]? landmarks = null;
            var landmarkText = fields[column["facial_landmarks"]];
            if (landmarkText.Length > 0)
            {
                landmarks = PointList.Parse(landmarkText);
                if (landmarks is null || landmarks.Length != 2 * LandmarkCount)
                {
                    builder.Problem(path, lineNumber, DatasetProblemKind.WrongPointCount,
                        landmarks is null
                            ? "facial_landmarks holds a value that is not a finite number in float's range"
                            : $"facial_landmarks holds {landmarks.Length} values where {2 * LandmarkCount} " +
                              "(68 points) are expected");
                    continue;
                }
            }

            var relativePath = fields[column["subDirectory_filePath"]];
            if (!builder.IsImagePath(relativePath, "subDirectory_filePath", path, lineNumber))
            {
                continue;
            }

            var imagePath = Path.Combine(root, relativePath);
            builder.Add(new FaceRecord(imagePath, expression, faceBox, landmarks, path, lineNumber), path, lineNumber);
        }

        return builder.Build(root, ClassNames.Take(classCount).ToArray());
    }

    private const int LandmarkCount = 68;
}
