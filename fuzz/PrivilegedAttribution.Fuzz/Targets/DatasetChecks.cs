using PrivilegedAttribution.Landmarks;
using PrivilegedAttribution.Landmarks.Datasets;

namespace PrivilegedAttribution.Fuzz.Targets;

/// <summary>What every loaded dataset promises, whatever its files held.</summary>
internal static class DatasetChecks
{
    /// <summary>Throws <see cref="FuzzFindingException"/> unless every record has a label among the classes, an
    /// existing image, a valid face box or none, and 68 finite landmarks or none; and every problem names a file.
    /// </summary>
    public static void Check(FaceDataset dataset)
    {
        foreach (var record in dataset.Records)
        {
            if (record.Label < 0 || record.Label >= dataset.ClassNames.Count)
            {
                throw new FuzzFindingException($"{record.Location}: label {record.Label} of " +
                    $"{dataset.ClassNames.Count} classes");
            }

            if (!File.Exists(record.ImagePath))
            {
                throw new FuzzFindingException($"{record.Location}: image '{record.ImagePath}' does not exist");
            }

            if (record.Box is { } box && (box.Width < 1 || box.Height < 1 ||
                    Math.Abs(box.Left) > FaceBox.MaxCoordinate || Math.Abs(box.Bottom) > FaceBox.MaxCoordinate))
            {
                throw new FuzzFindingException($"{record.Location}: box {box} is empty or beyond the coordinates " +
                    "an image can have");
            }

            if (record.Landmarks is { } points && (points.Length != 136 || !points.All(float.IsFinite)))
            {
                throw new FuzzFindingException($"{record.Location}: {points.Length} landmark values, or a " +
                    "non-finite one");
            }
        }

        if (dataset.Problems.Any(p => string.IsNullOrEmpty(p.File) || p.Line < 0))
        {
            throw new FuzzFindingException("a problem without its file or with a negative line");
        }

        _ = dataset.ToString();
    }
}
