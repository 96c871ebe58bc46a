using System.Diagnostics;

namespace PrivilegedAttribution.Landmarks.Benchmarks.VersusDlib;

/// <summary>
/// The C# side of the side-by-side benchmark, measured the way dlib_timing.cpp measures dlib: the model loaded
/// <c>loads</c> times, one untimed pass over the faces, then <c>repeats</c> passes with each face's
/// <see cref="ShapePredictor.Predict"/> timed alone on this thread, then one untimed and <c>repeats</c> timed
/// batches of <see cref="ShapePredictor.PredictMany"/> on <c>threads</c> threads.
/// </summary>
public static class OurPredictorTiming
{
    /// <summary>Measures; see the class.</summary>
    public static PredictorTimings Time(string model, IReadOnlyList<BenchmarkFace> faces, int repeats, int batchSize,
        int threads, int loads)
    {
        var loadMilliseconds = new double[loads];
        ShapePredictor? predictor = null;
        for (var i = 0; i < loads; i++)
        {
            var start = Stopwatch.GetTimestamp();
            predictor = ShapePredictor.Load(model);
            loadMilliseconds[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        var points = faces.Select(f => Rounded(predictor!.Predict(f.Image, f.Box))).ToArray();
        var faceMilliseconds = faces.Select(_ => new double[repeats]).ToArray();
        for (var r = 0; r < repeats; r++)
        {
            for (var i = 0; i < faces.Count; i++)
            {
                var start = Stopwatch.GetTimestamp();
                predictor!.Predict(faces[i].Image, faces[i].Box);
                faceMilliseconds[i][r] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }

        var batch = Enumerable.Range(0, batchSize)
            .Select(i => (faces[i % faces.Count].Image, faces[i % faces.Count].Box))
            .ToArray();
        predictor!.PredictMany(batch, threads);
        var batchMilliseconds = new double[repeats];
        for (var r = 0; r < repeats; r++)
        {
            var start = Stopwatch.GetTimestamp();
            predictor.PredictMany(batch, threads);
            batchMilliseconds[r] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        return new PredictorTimings(loadMilliseconds, faceMilliseconds, batchMilliseconds, batchSize, threads, points);
    }

    // dlib's rounding of a point, floor(x + 0.5), as integers.
    private static long[] Rounded(FaceLandmarks landmarks) =>
        landmarks.Points.SelectMany(p => new[] { (long)Math.Floor(p.X + 0.5), (long)Math.Floor(p.Y + 0.5) }).ToArray();
}
