using MathNet.Numerics.Statistics;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using PrivilegedAttribution.Benchmarks.Measurement;
using PrivilegedAttribution.Benchmarks.Workloads;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Benchmarks.Ratios;

/// <summary>
/// Measures the ratios in one invocation, suite by suite (<see cref="RatioSuite"/>: ResNet-18 and VGG-11-BN at
/// the sizes FER users train at): TorchSharp and PyTorch training steps are run in rounds, each round running every
/// contender once, TorchSharp's and PyTorch's version of the same step back to back (their order alternating between
/// rounds, the order of the steps rotating), so that the two halves of every ratio see the same machine. Each
/// contender runs a block of consecutive steps per round, as a training loop runs them (what one step leaves in the
/// allocator, the next one meets), timed as a whole and step by step, with the system (kernel) time and minor page
/// faults of the block beside the wall time (getrusage of the process that ran it). Each ratio is taken within a
/// round and summarised by its median over the rounds, with the interquartile range to show the noise. Peak native
/// memory comes from fresh processes (<see cref="ProbeProcess"/>). The result is a Markdown report
/// (<see cref="RatioReport"/>) and, when asked, a JSON file (<see cref="RatioJson"/>).
/// </summary>
public static class RatioDriver
{
    private const string Ts = RatioSuite.TorchSharp;
    private const string Py = RatioSuite.PyTorch;

    /// <summary>Runs the measurement and returns the report.</summary>
    /// <param name="profile">Workload size (see <see cref="RatioSuite.OptionsFor"/>), rounds and steps per block.
    /// </param>
    /// <param name="threads">Intra-op threads of both frameworks.</param>
    /// <param name="backend">The CPU back-end switches of this process; the memory probes' processes get the same.
    /// </param>
    /// <param name="withPyTorch">Whether to run the PyTorch counterpart (skipped with a note where it is
    /// unavailable).</param>
    /// <param name="withMemory">Whether to run the fresh-process peak-memory probes.</param>
    /// <param name="command">The command line, quoted in the report.</param>
    /// <param name="request">The suites, the block size and the JSON file; null: <see cref="RatioRequest.Default"/>.
    /// </param>
    public static string Run(BenchmarkProfile profile, int threads, BackendSwitches backend, bool withPyTorch,
        bool withMemory, string command, RatioRequest? request = null)
    {
        request ??= RatioRequest.Default;
        var block = request.BlockSize(profile);
        var pytorchNote = withPyTorch ? PyTorchWorker.Unavailable() : "not requested (--no-pytorch)";
        Console.Error.WriteLine($"ratios: {Machine.Describe()}");
        var results = request.Suites
            .Select(suite => RunSuite(suite, profile, threads, backend, block, pytorchNote, withMemory,
                request.ZeroGradInPlace))
            .ToList();
        if (request.JsonPath is not null)
        {
            var json = RatioJson.Build(results, profile, threads, backend, command);
            File.WriteAllText(request.JsonPath, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }

        return RatioReport.Build(results, profile, threads, backend, command);
    }

    private static SuiteResult RunSuite(RatioSuite suite, BenchmarkProfile profile, int threads,
        BackendSwitches backend, int block, string? pytorchNote, bool withMemory, bool zeroGradInPlace)
    {
        var options = suite.OptionsFor(profile) with { ZeroGradInPlace = zeroGradInPlace };
        // A suite with no PyTorch counterpart does not start the worker.
        pytorchNote ??= suite.Steps.Any(s => s.PythonStep is not null) ? null : "no PyTorch counterpart in this suite";
        var loadBefore = Machine.LoadAverage();
        var started = DateTime.UtcNow;
        Console.Error.WriteLine($"ratios: suite {suite.Name}: {options}, {threads} threads, blocks of {block} steps");
        Dictionary<string, List<StepTiming>> times;
        string? versions;
        using (var workload = new ClassifierWorkload(options))
        using (var worker = pytorchNote is null
                   ? PyTorchWorker.Start(options, threads, backend.KeepFreedMemory)
                   : null)
        using (var landmarks = rand(64, 68, 2) * 111.0)
        {
            var groups = Groups(suite, workload, worker, landmarks, block);
            times = InterleavedRounds.Run(groups, profile, $"ratios {suite.Name}");
            versions = worker?.Versions;
        }

        var memory = withMemory
            ? MeasureMemory(suite, options, threads, backend, profile, pytorchNote is null)
            : null;
        return new SuiteResult(suite, options, block, times, memory, pytorchNote, versions, started, loadBefore,
            Machine.LoadAverage());
    }

    private static List<Contender[]> Groups(RatioSuite suite, ClassifierWorkload workload, PyTorchWorker? worker,
        Tensor landmarks, int block)
    {
        Contender Sharp(SuiteStep step)
        {
            var stepCase = new StepCase(step.Step, step.Layer);
            return new Contender($"{Ts} {step.Name}", () => workload.Prepare(stepCase),
                () => TimeBlock(workload, stepCase, block));
        }

        Contender Python(SuiteStep step) => new($"{Py} {step.Name}", () => { },
            () => worker!.TimeBlock(step.PythonStep!, step.Layer, block));

        var groups = suite.Steps
            .Select(step => worker is null || step.PythonStep is null
                ? new[] { Sharp(step) }
                : [Sharp(step), Python(step)])
            .ToList();
        if (suite.WithHeatmap)
        {
            groups.Add(
                [new Contender(RatioSuite.HeatmapKey, () => { }, () => new StepTiming(RenderHeatmaps(landmarks)))]);
        }

        return groups;
    }

    /// <summary>Runs <paramref name="count"/> consecutive steps: their mean wall and system time and minor page
    /// faults per step, and each step's wall time.</summary>
    private static StepTiming TimeBlock(ClassifierWorkload workload, StepCase step, int count)
    {
        var steps = new double[count];
        var before = KernelUsage.Now();
        var blockStart = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            var stepStart = Stopwatch.GetTimestamp();
            workload.Run(step);
            steps[i] = Stopwatch.GetElapsedTime(stepStart).TotalMilliseconds;
        }

        var wall = Stopwatch.GetElapsedTime(blockStart).TotalMilliseconds;
        var kernel = KernelUsage.Now() - before;
        return new StepTiming(wall / count, kernel.SystemMilliseconds / count, kernel.MinorPageFaults / count, steps);
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

    private static Dictionary<MemoryMeasure, Dictionary<string, PeakMemory>> MeasureMemory(RatioSuite suite,
        WorkloadOptions options, int threads, BackendSwitches backend, BenchmarkProfile profile, bool withPyTorch)
    {
        Console.Error.WriteLine($"ratios {suite.Name}: peak native memory, {profile.MemoryProcesses} fresh " +
                                "processes per step kind, the kinds interleaved");
        var perProcess = MemoryMeasures.All.ToDictionary(m => m, _ => new Dictionary<string, List<double>>());
        var (self, prefix) = ProbeProcess.Self();
        void Add(string key, JsonNode answer)
        {
            foreach (var (measure, peaks) in perProcess)
            {
                (peaks.TryGetValue(key, out var list) ? list : peaks[key] = []).Add(PeakMedian(answer, measure));
            }
        }

        var probes = suite.Steps.Where(s => s.ProbeMemory).Select(s => (Step: s, InPlace: false))
            .Concat(suite.Steps.Where(s => s.ProbeZeroedInPlace && !options.ZeroGradInPlace)
                .Select(s => (Step: s, InPlace: true)))
            .ToArray();
        for (var process = 0; process < profile.MemoryProcesses; process++)
        {
            foreach (var (step, extraInPlace) in probes)
            {
                var suffix = extraInPlace ? SuiteStep.ZeroedInPlace : "";
                var probeOptions = options with { ZeroGradInPlace = extraInPlace || options.ZeroGradInPlace };
                Add($"{Ts} {step.Name}{suffix}", ProbeProcess.Run(self,
                [
                    .. prefix, "memory-probe", "--model", options.Model, "--batch", $"{options.Batch}", "--size",
                    $"{options.Size}", "--step", $"{step.Step}", "--layer", step.Layer, "--threads", $"{threads}",
                    "--repeat", $"{profile.MemoryRepeats}", "--zero-grad", probeOptions.ZeroGrad,
                    .. backend.ToArguments(),
                ]));
                if (withPyTorch && step.PythonStep is not null)
                {
                    Add($"{Py} {step.Name}{suffix}", PyTorchWorker.MemoryProbe(probeOptions, step.PythonStep,
                        step.Layer, threads, profile.MemoryRepeats, backend.KeepFreedMemory));
                }
            }
        }

        return perProcess.ToDictionary(m => m.Key,
            m => m.Value.ToDictionary(p => p.Key, p => PeakMemory.Of(p.Value)));
    }

    private static double PeakMedian(JsonNode answer, MemoryMeasure measure) =>
        Statistics.Median(answer[measure.ProbeField()]!.AsArray().Select(v => v!.GetValue<double>()).ToArray());
}
