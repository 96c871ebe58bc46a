using System.Globalization;
using System.Text;
using PrivilegedAttribution.Benchmarks.Ratios;

namespace PrivilegedAttribution.Landmarks.Benchmarks.VersusDlib;

/// <summary>
/// dlib's C++ shape predictor and ours on the same faces and boxes in one run (<c>versus-dlib</c>): the faces of the
/// fixture are decoded once here and handed to dlib's timing program as grey pixels (<see cref="FacesFile"/>), so
/// that both predict on identical input. Rounds alternate the predictors (the order reversed every other round) and
/// every ratio is taken within a round, then summarised by its median over the rounds, so that both sides of a ratio
/// see the same machine. Measured: model load; each face's single-thread prediction
/// (<see cref="ShapePredictor.Predict"/> against dlib's <c>operator()</c>); a batch on all cores
/// (<see cref="ShapePredictor.PredictMany"/> against <c>dlib::parallel_for</c>); and whether the points agree.
/// </summary>
public static class VersusDlibBenchmark
{
    /// <summary>Measures and returns the Markdown report.</summary>
    /// <exception cref="InvalidOperationException">No dlib timing program was found.</exception>
    public static string Run(VersusDlibOptions options, string command)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Tools.Count == 0)
        {
            throw new InvalidOperationException(
                "No dlib timing program: build tools/dlib-reference (its README: cmake -S tools/dlib-reference -B " +
                "artifacts/dlib-reference && cmake --build artifacts/dlib-reference) or pass --dlib-tool PATH.");
        }

        var faces = FixtureFaces.Load(options.Faces);
        var facesFile = Path.Combine(Path.GetTempPath(), $"pal-versus-dlib-{Environment.ProcessId}.faces");
        var started = DateTime.UtcNow;
        var loadBefore = Machine.LoadAverage();
        var dlib = options.Tools.ToDictionary(t => t, _ => new List<PredictorTimings>());
        var ours = new List<PredictorTimings>();
        try
        {
            FacesFile.Write(facesFile, faces);
            for (var round = 0; round < options.Rounds; round++)
            {
                var order = options.Tools.Select(tool => (Action)(() => dlib[tool].Add(tool.Time(options.Model,
                        facesFile, options.Repeats, options.BatchSize, options.Threads, options.Loads))))
                    .Append(() => ours.Add(OurPredictorTiming.Time(options.Model, faces, options.Repeats,
                        options.BatchSize, options.Threads, options.Loads)))
                    .ToList();
                if (round % 2 == 1)
                {
                    order.Reverse();
                }

                order.ForEach(run => run());
                var others = options.Tools.Select(t =>
                    $"{Path.GetFileName(t.Path)} {Ms(dlib[t][^1].MeanFaceMilliseconds())}");
                Console.Error.WriteLine($"versus-dlib: round {round + 1}/{options.Rounds}: ms a face: ours " +
                    $"{Ms(ours[^1].MeanFaceMilliseconds())}, {string.Join(", ", others)}");
            }
        }
        finally
        {
            File.Delete(facesFile);
        }

        return Report(options, faces, dlib, ours, command, started, loadBefore);
    }

    private static string Report(VersusDlibOptions options, IReadOnlyList<BenchmarkFace> faces,
        Dictionary<DlibTool, List<PredictorTimings>> dlib, List<PredictorTimings> ours, string command,
        DateTime started, string loadBefore)
    {
        var tools = options.Tools;
        var text = new StringBuilder();
        text.AppendLine("Landmarks: PrivilegedAttribution.Landmarks' ShapePredictor against dlib's C++ " +
                        "shape_predictor on the same grey pixels and boxes.");
        text.AppendLine();
        text.AppendLine($"Machine: {Machine.Describe()}; load average {loadBefore} before, {Machine.LoadAverage()} " +
                        $"after; {started:yyyy-MM-dd HH:mm} UTC.");
        text.AppendLine($"Software: .NET {Environment.Version}; " +
                        string.Join("; ", tools.Select(t => $"{Path.GetFileName(t.Path)}: {t.Description}")) + ".");
        text.AppendLine($"Model: {options.Model}. Faces: {faces.Count} from {options.Faces}. {options.Rounds} rounds " +
                        $"(predictors alternating); per round {options.Loads} model loads, {options.Repeats} timed " +
                        $"passes over the faces on one thread and {options.Repeats} timed batches of " +
                        $"{options.BatchSize} faces on {options.Threads} threads. Ratios: medians of per-round " +
                        "ratios [min–max]; times: medians over rounds.");
        text.AppendLine();
        text.AppendLine($"Command: `{command}`");
        text.AppendLine();

        var header = new StringBuilder("| Measure |");
        var rule = new StringBuilder("|---|");
        foreach (var tool in tools)
        {
            header.Append(CultureInfo.InvariantCulture, $" {Path.GetFileName(tool.Path)} |");
            rule.Append("---|");
        }

        header.Append(" ours |");
        rule.Append("---|");
        foreach (var tool in tools)
        {
            header.Append(CultureInfo.InvariantCulture, $" ours / {Path.GetFileName(tool.Path)} |");
            rule.Append("---|");
        }

        text.AppendLine(header.ToString());
        text.AppendLine(rule.ToString());
        AppendRow(text, "model load, ms (median; the run's first load left out)", tools, dlib, ours, LoadMedian);
        AppendRow(text, "first model load of the run, ms", tools, dlib, ours, (runs, round) =>
            round == 0 ? runs[0].LoadMilliseconds[0] : double.NaN);
        AppendRow(text, "one face, one thread, ms (mean over faces of each face's median)", tools, dlib, ours,
            (runs, round) => runs[round].MeanFaceMilliseconds());
        AppendRow(text, $"batch of {options.BatchSize} on {options.Threads} threads, ms per face", tools, dlib, ours,
            (runs, round) => runs[round].BatchMillisecondsPerFace());
        var agreement = new StringBuilder("| points identical to ours (first round), faces |");
        foreach (var tool in tools)
        {
            var same = faces.Select((_, i) => dlib[tool][0].Points[i].SequenceEqual(ours[0].Points[i])).Count(s => s);
            agreement.Append(CultureInfo.InvariantCulture, $" {same} of {faces.Count} |");
        }

        text.AppendLine(agreement.Append(" |").Append(string.Concat(tools.Select(_ => " |"))).ToString());
        text.AppendLine();

        text.AppendLine("Per face, one thread (ms: median over rounds of each round's median over repeats):");
        text.AppendLine();
        text.AppendLine("| Face | Box |" + string.Concat(tools.Select(t => $" {Path.GetFileName(t.Path)} ms |")) +
                        " ours ms |" + string.Concat(tools.Select(t => $" ours / {Path.GetFileName(t.Path)} |")));
        text.AppendLine("|---|---|" + string.Concat(tools.Select(_ => "---|")) + "---|" +
                        string.Concat(tools.Select(_ => "---|")));
        for (var i = 0; i < faces.Count; i++)
        {
            var face = i;
            double FaceMedian(List<PredictorTimings> runs, int round) => PredictorTimings.Median(
                runs[round].FaceMilliseconds[face]);

            AppendRow(text, $"{faces[i].Name} | {faces[i].Box}", tools, dlib, ours, FaceMedian);
        }

        return text.ToString();
    }

    // A summary row: each predictor's value (median over rounds) and ours / each dlib (per-round ratios).
    private static void AppendRow(StringBuilder text, string label, IReadOnlyList<DlibTool> tools,
        Dictionary<DlibTool, List<PredictorTimings>> dlib, List<PredictorTimings> ours,
        Func<List<PredictorTimings>, int, double> value)
    {
        var row = new StringBuilder($"| {label} |");
        foreach (var tool in tools)
        {
            row.Append(CultureInfo.InvariantCulture, $" {Ms(OverRounds(dlib[tool], value))} |");
        }

        row.Append(CultureInfo.InvariantCulture, $" {Ms(OverRounds(ours, value))} |");
        foreach (var tool in tools)
        {
            row.Append(CultureInfo.InvariantCulture, $" {RatioCell(ours, dlib[tool], value)} |");
        }

        text.AppendLine(row.ToString());
    }

    // The median of the round's loads; the run's very first load (JIT, cold page cache) left out where there are
    // others.
    private static double LoadMedian(List<PredictorTimings> runs, int round)
    {
        var loads = runs[round].LoadMilliseconds;
        return PredictorTimings.Median(round == 0 && loads.Length > 1 ? loads[1..] : loads);
    }

    private static double OverRounds(List<PredictorTimings> runs, Func<List<PredictorTimings>, int, double> value) =>
        PredictorTimings.Median(Enumerable.Range(0, runs.Count).Select(r => value(runs, r))
            .Where(double.IsFinite).ToArray());

    private static string RatioCell(List<PredictorTimings> top, List<PredictorTimings> bottom,
        Func<List<PredictorTimings>, int, double> value)
    {
        var ratios = Enumerable.Range(0, top.Count).Select(r => value(top, r) / value(bottom, r))
            .Where(double.IsFinite).ToArray();
        return ratios.Length == 0
            ? "n/a"
            : string.Create(CultureInfo.InvariantCulture,
                $"{PredictorTimings.Median(ratios):F3} [{ratios.Min():F3}–{ratios.Max():F3}]");
    }

    private static string Ms(double value) =>
        double.IsFinite(value) ? value.ToString(value < 10 ? "F3" : "F1", CultureInfo.InvariantCulture) : "n/a";
}
