using System.Diagnostics;

namespace PrivilegedAttribution.Landmarks.Benchmarks;

/// <summary>A stopwatch version of the benchmarks, for a quick look. Beside wall-clock time it reports the
/// process's CPU time, which stays meaningful on a shared, busy machine where wall-clock time includes waiting for a
/// core (BenchmarkDotNet reports wall-clock time).</summary>
internal static class QuickCheck
{
    public static void Run()
    {
        var process = Process.GetCurrentProcess();
        var clock = Stopwatch.StartNew();
        var predictor = ShapePredictor.Load();
        Console.WriteLine($"first load (JIT included): {clock.Elapsed.TotalMilliseconds:F0} ms");
        for (var i = 0; i < 5; i++)
        {
            var cpu = process.TotalProcessorTime;
            clock.Restart();
            predictor = ShapePredictor.Load();
            process.Refresh();
            Console.WriteLine($"load: {clock.Elapsed.TotalMilliseconds:F0} ms wall, " +
                $"{(process.TotalProcessorTime - cpu).TotalMilliseconds:F0} ms CPU");
        }

        var faces = Faces.Load();
        for (var i = 0; i < 50; i++)
        {
            predictor.Predict(faces[i % faces.Length].Item1, faces[i % faces.Length].Item2);
        }

        const int count = 400;
        process.Refresh();
        var predictCpu = process.TotalProcessorTime;
        clock.Restart();
        for (var i = 0; i < count; i++)
        {
            predictor.Predict(faces[i % faces.Length].Item1, faces[i % faces.Length].Item2);
        }

        process.Refresh();
        Console.WriteLine($"predict: {clock.Elapsed.TotalMilliseconds / count:F3} ms wall, " +
            $"{(process.TotalProcessorTime - predictCpu).TotalMilliseconds / count:F3} ms CPU a face (one thread)");
        var batch = Enumerable.Range(0, count).Select(i => faces[i % faces.Length]).ToArray();
        clock.Restart();
        predictor.PredictMany(batch);
        Console.WriteLine($"predict many: {clock.Elapsed.TotalMilliseconds / count:F3} ms a face " +
                          $"({Environment.ProcessorCount} cores)");
    }
}
