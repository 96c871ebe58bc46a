using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MathNet.Numerics.Statistics;
using PrivilegedAttribution.Benchmarks.Backend;
using PrivilegedAttribution.Benchmarks.Workloads;
using TorchSharp;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Benchmarks.Ratios;

/// <summary>
/// Measures the ratios in one invocation: TorchSharp and PyTorch training steps on ResNet-18 (and a heatmap
/// rendering) are run in rounds, each round running every contender once, TorchSharp's and PyTorch's version of the
/// same step back to back (their order alternating between rounds, the order of the steps rotating), so that the
/// two halves of every ratio see the same machine. Each ratio is taken within a round and summarised by its median
/// over the rounds, with the interquartile range to show the noise. Peak native memory comes from fresh processes
/// (<see cref="ProbeProcess"/>). The result is a Markdown report.
/// </summary>
public static class RatioDriver
{
    private const string Ts = "TorchSharp";
    private const string Py = "PyTorch";

    /// <summary>Runs the measurement and returns the report.</summary>
    /// <param name="profile">Workload size (its first batch and input size) and the number of rounds.</param>
    /// <param name="threads">Intra-op threads of both frameworks.</param>
    /// <param name="backend">The CPU back-end switches of this process; the memory probes' processes get the same.
    /// </param>
    /// <param name="withPyTorch">Whether to run the PyTorch counterpart (skipped with a note where it is
    /// unavailable).</param>
    /// <param name="withMemory">Whether to run the fresh-process peak-memory probes.</param>
    /// <param name="command">The command line, quoted in the report.</param>
    public static string Run(BenchmarkProfile profile, int threads, BackendSwitches backend, bool withPyTorch,
        bool withMemory, string command)
    {
        var options = new WorkloadOptions("resnet18", profile.BatchSizes[0], profile.InputSizes[0]);
        var loadBefore = Machine.LoadAverage();
        var started = DateTime.UtcNow;
        var pytorchNote = withPyTorch ? PyTorchWorker.Unavailable() : "not requested (--no-pytorch)";
        using var workload = new ClassifierWorkload(options);
        using var worker = pytorchNote is null ? PyTorchWorker.Start(options, threads) : null;
        using var landmarks = rand(64, 68, 2) * 111.0;

        var groups = Groups(workload, worker, landmarks);
        Console.Error.WriteLine($"ratios: {options}, {threads} threads");
        var times = InterleavedRounds.Run(groups, profile, "ratios").ToDictionary(t => t.Key,
            t => t.Value.Select(timing => timing.WallMilliseconds).ToList());

        var memory = withMemory
            ? MeasureMemory(options, threads, backend, profile.MemoryRepeats, worker is not null)
            : null;
        var loadAfter = Machine.LoadAverage();
        return Report(options, threads, backend, profile, times, memory, pytorchNote, worker?.Versions, started,
            loadBefore, loadAfter, command);
    }

    private static List<Contender[]> Groups(ClassifierWorkload workload, PyTorchWorker? worker, Tensor landmarks)
    {
        Contender Sharp(string name, TrainingStep step, string layer)
        {
            var stepCase = new StepCase(step, layer);
            return new Contender($"{Ts} {name}", () => workload.Prepare(stepCase), () =>
            {
                var clock = Stopwatch.StartNew();
                workload.Run(stepCase);
                return new StepTiming(clock.Elapsed.TotalMilliseconds);
            });
        }

        Contender Python(string name, string step, string layer) =>
            new($"{Py} {name}", () => { }, () => new StepTiming(worker!.Time(step, layer)[0]));

        Contender[] Pair(string name, TrainingStep step, string pythonStep, string layer) => worker is null
            ? [Sharp(name, step, layer)]
            : [Sharp(name, step, layer), Python(name, pythonStep, layer)];

        var heatmap = new Contender($"{Ts} heatmap 64×68 at 28×28", () => { },
            () => new StepTiming(RenderHeatmaps(landmarks)));
        return
        [
            Pair("plain", TrainingStep.Plain, "plain", "layer3"),
            Pair("PAL layer3", TrainingStep.PalObjective, "pal", "layer3"),
            [Sharp("PAL layer3 straightforward", TrainingStep.PalStraightforward, "layer3")],
            Pair("PAL layer3 no clone", TrainingStep.PalObjectiveNoClone, "pal_noclone", "layer3"),
            Pair("PAL layer4", TrainingStep.PalObjective, "pal", "layer4"),
            Pair("PAL layer4 closed form", TrainingStep.PalClosedForm, "pal_closed", "layer4"),
            [heatmap],
        ];
    }

    /// <summary>The median of 25 renderings (each a few hundred microseconds: one alone is below the clock's
    /// noise).</summary>
    private static double RenderHeatmaps(Tensor landmarks)
    {
        var each = new double[25];
        for (var i = 0; i < each.Length; i++)
        {
            using var scope = NewDisposeScope();
            var clock = Stopwatch.StartNew();
            PalFunctional.landmark_heatmap(landmarks, 112, 112, 28, 28, 112 / 20.0);
            each[i] = clock.Elapsed.TotalMilliseconds;
        }

        return Statistics.Median(each);
    }

    private static Dictionary<string, double> MeasureMemory(WorkloadOptions options, int threads,
        BackendSwitches backend, int repeats, bool withPyTorch)
    {
        Console.Error.WriteLine("ratios: peak native memory, one fresh process per step kind");
        var result = new Dictionary<string, double>();
        var (self, prefix) = ProbeProcess.Self();
        foreach (var (name, step, layer) in new[]
                 {
                     ("plain", TrainingStep.Plain, "layer3"),
                     ("PAL layer3", TrainingStep.PalObjective, "layer3"),
                     ("PAL layer3 straightforward", TrainingStep.PalStraightforward, "layer3"),
                     ("PAL layer4 closed form", TrainingStep.PalClosedForm, "layer4"),
                 })
        {
            var answer = ProbeProcess.Run(self, prefix.Concat(new[]
            {
                "memory-probe", "--batch", $"{options.Batch}", "--size", $"{options.Size}", "--step", $"{step}",
                "--layer", layer, "--threads", $"{threads}", "--repeat", $"{repeats}",
            }).Concat(backend.ToArguments()));
            result[$"{Ts} {name}"] = PeakMedian(answer);
        }

        if (withPyTorch)
        {
            foreach (var (name, step, layer) in new[]
                     {
                         ("plain", "plain", "layer3"), ("PAL layer3", "pal", "layer3"),
                         ("PAL layer4 closed form", "pal_closed", "layer4"),
                     })
            {
                result[$"{Py} {name}"] = PeakMedian(PyTorchWorker.MemoryProbe(options, step, layer, threads, repeats));
            }
        }

        return result;
    }

    private static double PeakMedian(JsonNode answer) =>
        Statistics.Median(answer["peak_delta"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray());

    private static string Report(WorkloadOptions options, int threads, BackendSwitches backend,
        BenchmarkProfile profile,
        Dictionary<string, List<double>> times, Dictionary<string, double>? memory, string? pytorchNote,
        string? pytorchVersions, DateTime started, string loadBefore, string loadAfter, string command)
    {
        var ratios = new List<RatioDefinition>
        {
            new("PAL step / plain step, layer3, straightforward functional path", $"{Ts} PAL layer3 straightforward",
                $"{Ts} plain", "was 2.1"),
            new("PAL step / plain step, layer3, PalObjective", $"{Ts} PAL layer3", $"{Ts} plain", "≤ 1.6",
                r => r <= 1.6),
            new("PAL step / plain step, layer3, PalObjective without the tap's copy", $"{Ts} PAL layer3 no clone",
                $"{Ts} plain"),
            new("PAL step / plain step, layer4, autograd (double backward)", $"{Ts} PAL layer4", $"{Ts} plain"),
            new("PAL step / plain step, layer4, closed form (GlobalPoolLinearHead)", $"{Ts} PAL layer4 closed form",
                $"{Ts} plain", "≤ 1.10", r => r <= 1.10),
            new("TorchSharp / PyTorch, plain step", $"{Ts} plain", $"{Py} plain"),
            new("TorchSharp / PyTorch, PAL step at layer3", $"{Ts} PAL layer3", $"{Py} PAL layer3", "≤ 1.05",
                r => r <= 1.05),
            new("TorchSharp / PyTorch, PAL step at layer3 without copy", $"{Ts} PAL layer3 no clone",
                $"{Py} PAL layer3 no clone"),
            new("TorchSharp / PyTorch, PAL step at layer4, autograd", $"{Ts} PAL layer4", $"{Py} PAL layer4"),
            new("TorchSharp / PyTorch, PAL step at layer4, closed form", $"{Ts} PAL layer4 closed form",
                $"{Py} PAL layer4 closed form"),
            new("PyTorch: PAL step / plain step, layer3", $"{Py} PAL layer3", $"{Py} plain"),
            new("PyTorch: PAL step / plain step, layer4, closed form", $"{Py} PAL layer4 closed form", $"{Py} plain"),
            new("Heatmap 64×68 at 28×28 / plain step", $"{Ts} heatmap 64×68 at 28×28", $"{Ts} plain", "< 0.02",
                r => r < 0.02),
        };
        var text = new StringBuilder();
        text.AppendLine($"Workload: {options}, 7 classes, training mode, SGD (momentum 0.9), PAL λ = " +
                        $"{options.Lambda.ToString(CultureInfo.InvariantCulture)} (Pearson, mean of the channels), " +
                        $"{threads} intra-op threads; {profile.Rounds} interleaved rounds; ratios are medians of " +
                        "per-round ratios (p25–p75 in brackets).");
        text.AppendLine();
        text.AppendLine($"Machine: {Machine.Describe()}; load average {loadBefore} before, {loadAfter} after; " +
                        $"{started:yyyy-MM-dd HH:mm} UTC.");
        text.AppendLine($"Software: TorchSharp {typeof(torch).Assembly.GetName().Version} (LibTorch " +
                        $"{torch.__version__}), .NET {Environment.Version}; " +
                        (pytorchVersions ?? $"PyTorch: {pytorchNote}") + $"; TorchSharp's CPU back end: {backend}.");
        text.AppendLine();
        text.AppendLine($"Command: `{command}`");
        text.AppendLine();
        text.AppendLine("| Ratio | Target | Median [p25–p75] | Met |");
        text.AppendLine("|---|---|---|---|");
        foreach (var ratio in ratios)
        {
            if (!times.TryGetValue(ratio.Numerator, out var top) || top.Count == 0
                || !times.TryGetValue(ratio.Denominator, out var bottom) || bottom.Count == 0)
            {
                continue;
            }

            var perRound = top.Zip(bottom, (a, b) => a / b).ToArray();
            AppendRatio(text, ratio, perRound);
        }

        if (memory is not null)
        {
            var memoryRatios = new (string, string, string, string, Func<double, bool>?)[]
            {
                ("Peak memory: PAL step / plain step, layer3", $"{Ts} PAL layer3", $"{Ts} plain", "≤ 1.5",
                    r => r <= 1.5),
                ("Peak memory: PAL step / plain step, layer3, straightforward",
                    $"{Ts} PAL layer3 straightforward", $"{Ts} plain", "", null),
                ("Peak memory: PAL step / plain step, layer4, closed form", $"{Ts} PAL layer4 closed form",
                    $"{Ts} plain", "", null),
                ("PyTorch peak memory: PAL step / plain step, layer3", $"{Py} PAL layer3", $"{Py} plain", "",
                    null),
            };
            foreach (var (label, top, bottom, target, meets) in memoryRatios)
            {
                if (memory.TryGetValue(top, out var a) && memory.TryGetValue(bottom, out var b))
                {
                    AppendRatio(text, new RatioDefinition(label, top, bottom, target, meets), [a / b]);
                }
            }
        }

        text.AppendLine();
        text.AppendLine("| Contender | Median ms [p25–p75] | Rounds |");
        text.AppendLine("|---|---|---|");
        foreach (var (key, values) in times)
        {
            var v = values.ToArray();
            var (p25, p75) = (Quartile(v, 0.25), Quartile(v, 0.75));
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {key} | {Statistics.Median(v):F1} [{p25:F1}–{p75:F1}] | {v.Length} |");
        }

        if (memory is not null)
        {
            text.AppendLine();
            text.AppendLine(
                "| Peak native memory above the resident size before the step (fresh process, median) | MiB |");
            text.AppendLine("|---|---|");
            foreach (var (key, bytes) in memory)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {key} | {bytes / (1024.0 * 1024.0):F1} |");
            }
        }

        return text.ToString();
    }

    private static void AppendRatio(StringBuilder text, RatioDefinition ratio, double[] perRound)
    {
        var median = Statistics.Median(perRound);
        var spread = perRound.Length > 1
            ? $" [{Quartile(perRound, 0.25):F3}–{Quartile(perRound, 0.75):F3}]"
            : "";
        var met = ratio.Meets is null ? "" : ratio.Meets(median) ? "yes" : "**no**";
        text.AppendLine(CultureInfo.InvariantCulture,
            $"| {ratio.Label} | {ratio.Target} | {median:F3}{spread} | {met} |");
    }

    /// <summary>The q-quantile with linear interpolation between order statistics (R's type 7, numpy's default),
    /// as the reports have always given their quartiles.</summary>
    private static double Quartile(IEnumerable<double> values, double q) =>
        Statistics.QuantileCustom(values, q, QuantileDefinition.R7);
}
