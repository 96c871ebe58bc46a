using System.Diagnostics;
using System.Text.Json.Nodes;

namespace PrivilegedAttribution.Landmarks.Benchmarks.VersusDlib;

/// <summary>
/// dlib's own C++ predictor, timed by <c>tools/dlib-reference</c>'s <c>time</c> mode (dlib_timing.cpp) in a process
/// of its own: <c>dlib-reference</c> (built as the exactness reference: baseline x86-64, no FMA contraction) or
/// <c>dlib-reference-native</c> (-march=native: dlib at its fastest on this CPU).
/// </summary>
public sealed class DlibTool
{
    /// <summary>The program at <paramref name="path"/>.</summary>
    public DlibTool(string path)
    {
        Path = path ?? throw new ArgumentNullException(nameof(path));
        Description = System.IO.Path.GetFileName(path);
    }

    /// <summary>The executable.</summary>
    public string Path { get; }

    /// <summary>"dlib 19.24.0, baseline x86-64, -ffp-contract=off (g++ 12.2.0; sse2)", from the tool's first answer.
    /// </summary>
    public string Description { get; private set; }

    /// <summary>The tools built by the README's command under <paramref name="repositoryRoot"/>: both where both
    /// exist.</summary>
    public static IReadOnlyList<DlibTool> Default(string repositoryRoot)
    {
        var folder = System.IO.Path.Combine(repositoryRoot, "artifacts", "dlib-reference");
        return new[] { "dlib-reference", "dlib-reference-native" }
            .Select(name => System.IO.Path.Combine(folder, name))
            .Where(File.Exists)
            .Select(path => new DlibTool(path))
            .ToArray();
    }

    /// <summary>Runs the timing mode on <paramref name="facesFile"/> (<see cref="FacesFile"/>).</summary>
    /// <exception cref="InvalidOperationException">The tool failed; the message holds its error output.</exception>
    public PredictorTimings Time(string model, string facesFile, int repeats, int batchSize, int threads, int loads)
    {
        var start = new ProcessStartInfo(Path,
        [
            "time", model, facesFile, $"{repeats}", $"{batchSize}", $"{threads}", $"{loads}",
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{Path} did not start.");
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0 || !output.TrimStart().StartsWith('{'))
        {
            throw new InvalidOperationException(
                $"'{Path} time …' failed (exit {process.ExitCode}): {errors.Result}{output}");
        }

        var json = JsonNode.Parse(output)!;
        Description = $"{json["tool"]}, {json["flavour"]} (g++ {json["compiler"]}; {json["instruction_sets"]})";
        return new PredictorTimings(
            Doubles(json["load_ms"]!),
            json["face_ms"]!.AsArray().Select(f => Doubles(f!)).ToArray(),
            Doubles(json["batch_ms"]!),
            (int)json["batch_size"]!,
            (int)json["threads"]!,
            json["points"]!.AsArray().Select(p => p!.AsArray().Select(v => (long)v!).ToArray()).ToArray());
    }

    private static double[] Doubles(JsonNode array) => array.AsArray().Select(v => (double)v!).ToArray();
}
