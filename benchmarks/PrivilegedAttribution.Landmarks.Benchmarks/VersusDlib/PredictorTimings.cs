namespace PrivilegedAttribution.Landmarks.Benchmarks.VersusDlib;

/// <summary>What one run of one predictor measured (dlib's C++ tool or ours), all wall-clock milliseconds.</summary>
/// <param name="LoadMilliseconds">Each model load, in order.</param>
/// <param name="FaceMilliseconds">Per face, its single-thread predictions (one per repeat).</param>
/// <param name="BatchMilliseconds">Each batch of <see cref="BatchSize"/> faces on all threads.</param>
/// <param name="BatchSize">Faces per batch (face i % count).</param>
/// <param name="Threads">Threads the batch ran on.</param>
/// <param name="Points">Per face the 68 points rounded as dlib rounds them, x0, y0, x1, …</param>
public sealed record PredictorTimings(
    double[] LoadMilliseconds,
    double[][] FaceMilliseconds,
    double[] BatchMilliseconds,
    int BatchSize,
    int Threads,
    long[][] Points)
{
    /// <summary>Each face's median single-thread time.</summary>
    public double[] FaceMedians() => FaceMilliseconds.Select(Median).ToArray();

    /// <summary>The mean over faces of their median single-thread times: the time per face of a set like this one.
    /// </summary>
    public double MeanFaceMilliseconds() => FaceMedians().Average();

    /// <summary>The median batch time divided by the batch size: the time per face on all threads.</summary>
    public double BatchMillisecondsPerFace() => Median(BatchMilliseconds) / BatchSize;

    /// <summary>The median of <paramref name="values"/> (NaN for none).</summary>
    public static double Median(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
