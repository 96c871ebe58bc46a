using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MathNet.Numerics.Statistics;
using PrivilegedAttribution.Benchmarks.Ratios;
using PrivilegedAttribution.Benchmarks.Workloads;
using TorchSharp;

namespace PrivilegedAttribution.Benchmarks.Investigations.Backend;

/// <summary>
/// What the CPU back-end switches cost and gain, measured in one run: the plain and the PAL training step of each
/// <see cref="BackendWorkload"/> with oneDNN on and off (<see cref="CpuBackend.SetMkldnnEnabled"/>) and glibc's
/// allocator as it is and keeping freed memory (<see cref="CpuBackend.KeepFreedMemory"/>). The allocator's setting
/// cannot be undone in a process, so each lives in its own worker process (<see cref="BackendWorker"/>, one command
/// at a time over <see cref="JsonLineWorker"/>), and the rounds interleave the two processes'
/// timings (<see cref="InterleavedRounds"/>) so that every ratio compares measurements taken seconds apart. The
/// result is a Markdown report: wall and system (kernel) time per step and the ratios of the switches.
/// </summary>
public static class BackendDriver
{
    private static readonly TrainingStep[] Steps = [TrainingStep.Plain, TrainingStep.PalObjective];

    /// <summary>Runs the measurement and returns the report.</summary>
    /// <param name="profile">Workload sizes (<see cref="BackendWorkload.For"/>) and the number of rounds.</param>
    /// <param name="threads">LibTorch's intra-op threads in each worker.</param>
    /// <param name="command">The command line, quoted in the report.</param>
    public static string Run(BenchmarkProfile profile, int threads, string command)
    {
        var workloads = BackendWorkload.For(profile);
        var loadBefore = Machine.LoadAverage();
        var started = DateTime.UtcNow;
        Console.Error.WriteLine("backend: starting one worker per allocator setting");
        using var defaultAllocator = StartWorker(profile, threads, keepFreedMemory: false, out var workerThreads);
        using var keptAllocator = StartWorker(profile, threads, keepFreedMemory: true, out _);

        var groups = new List<Contender[]>();
        foreach (var workload in workloads)
        {
            foreach (var step in Steps)
            {
                // One group per step: its four settings run back to back, so that each switch's ratio compares
                // neighbours.
                groups.Add(
                [
                    .. from oneDnn in new[] { true, false }
                    from kept in new[] { false, true }
                    select new Contender(Key(workload, step, oneDnn, kept), () => { },
                        () => Time(kept ? keptAllocator : defaultAllocator, workload, step, oneDnn)),
                ]);
            }
        }

        var times = InterleavedRounds.Run(groups, profile, "backend");
        return Report(workloads, times, profile, workerThreads, command, started, loadBefore, Machine.LoadAverage());
    }

    private static JsonLineWorker StartWorker(BenchmarkProfile profile, int threads, bool keepFreedMemory,
        out int workerThreads)
    {
        var (self, prefix) = ProbeProcess.Self();
        var worker = JsonLineWorker.Start(self,
        [
            .. prefix, "backend-worker", "--config", profile.Name, "--threads", $"{threads}",
            .. new BackendSwitches(keepFreedMemory, OneDnn: false).ToArguments(),
        ]);
        try
        {
            var ready = worker.Ask(new JsonObject { ["cmd"] = "setup" });
            if ((bool)ready["keeps_freed_memory"]! != keepFreedMemory)
            {
                throw new InvalidOperationException("A backend worker started with the wrong allocator setting.");
            }

            workerThreads = (int)ready["threads"]!;
            return worker;
        }
        catch
        {
            worker.Dispose();
            throw;
        }
    }

    private static StepTiming Time(JsonLineWorker worker, BackendWorkload workload, TrainingStep step, bool oneDnn)
    {
        var answer = worker.Ask(new JsonObject
        {
            ["cmd"] = "time", ["workload"] = workload.Name, ["step"] = $"{step}", ["onednn"] = oneDnn,
        });
        return new StepTiming((double)answer["wall_ms"]!, (double)answer["system_ms"]!,
            (double?)answer["minor_faults"] ?? double.NaN);
    }

    private static string Key(BackendWorkload workload, TrainingStep step, bool oneDnn, bool kept) =>
        $"{workload.Name} {StepName(step)}, oneDNN {OnOff(oneDnn)}, allocator {Allocator(kept)}";

    private static string StepName(TrainingStep step) => step == TrainingStep.Plain ? "plain" : "PAL";

    private static string OnOff(bool on) => on ? "on" : "off";

    private static string Allocator(bool kept) => kept ? "kept" : "default";

    private static string Report(IReadOnlyList<BackendWorkload> workloads, Dictionary<string, List<StepTiming>> times,
        BenchmarkProfile profile, int threads, string command, DateTime started, string loadBefore, string loadAfter)
    {
        var text = new StringBuilder();
        text.AppendLine("Backend switches: oneDNN on/off × glibc's allocator default/kept " +
                        "(CpuBackend.KeepFreedMemory), each allocator setting in its own worker process, oneDNN " +
                        "switched before each timing; " +
                        $"{profile.Rounds} interleaved rounds after {profile.WarmupRounds} warm-up rounds. " +
                        "Times per step: median [min–max] over the rounds; ratios: median [min–max] of the per-round " +
                        "ratios of wall times.");
        text.AppendLine();
        text.AppendLine($"Command: `{command}`");
        text.AppendLine();
        text.AppendLine($"CPU: {Machine.Describe()}; LibTorch intra-op threads: {threads} per worker; load average " +
                        $"{loadBefore} before, {loadAfter} after; {started:yyyy-MM-dd HH:mm} UTC.");
        text.AppendLine($"Software: TorchSharp {typeof(torch).Assembly.GetName().Version} (LibTorch " +
                        $"{torch.__version__}), .NET {Environment.Version}.");
        text.AppendLine("Workloads (training mode, SGD with momentum 0.9; PAL = the package's PalObjective): " +
                        string.Join("; ", workloads.Select(w => w.Describe())) + ".");
        text.AppendLine();

        text.AppendLine("| Workload | Step | oneDNN | Allocator | ms/step | system ms/step | minor page faults/step |");
        text.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var workload in workloads)
        {
            foreach (var step in Steps)
            {
                foreach (var oneDnn in new[] { true, false })
                {
                    foreach (var kept in new[] { false, true })
                    {
                        var timings = times[Key(workload, step, oneDnn, kept)];
                        text.AppendLine(CultureInfo.InvariantCulture,
                            $"| {workload.Name} | {StepName(step)} | {OnOff(oneDnn)} | {Allocator(kept)} | " +
                            $"{Spread(timings.Select(t => t.WallMilliseconds), "F1")} | " +
                            $"{Spread(timings.Select(t => t.SystemMilliseconds), "F1")} | " +
                            $"{Spread(timings.Select(t => t.MinorPageFaults), "F0")} |");
                    }
                }
            }
        }

        text.AppendLine();
        text.AppendLine("| Workload | Step | oneDNN off / on, allocator default | oneDNN off / on, allocator kept | " +
                        "kept / default, oneDNN on | kept / default, oneDNN off |");
        text.AppendLine("|---|---|---|---|---|---|");
        foreach (var workload in workloads)
        {
            foreach (var step in Steps)
            {
                string Ratio(bool topOneDnn, bool topKept, bool bottomOneDnn, bool bottomKept) => RatioCell(times,
                    Key(workload, step, topOneDnn, topKept), Key(workload, step, bottomOneDnn, bottomKept));

                text.AppendLine($"| {workload.Name} | {StepName(step)} | {Ratio(false, false, true, false)} | " +
                                $"{Ratio(false, true, true, true)} | {Ratio(true, true, true, false)} | " +
                                $"{Ratio(false, true, false, false)} |");
            }
        }

        text.AppendLine();
        text.AppendLine("| Workload | PAL / plain: oneDNN on, allocator default | oneDNN on, allocator kept | " +
                        "oneDNN off, allocator default | oneDNN off, allocator kept |");
        text.AppendLine("|---|---|---|---|---|");
        foreach (var workload in workloads)
        {
            var cells = from oneDnn in new[] { true, false }
                        from kept in new[] { false, true }
                        select RatioCell(times, Key(workload, TrainingStep.PalObjective, oneDnn, kept),
                            Key(workload, TrainingStep.Plain, oneDnn, kept));
            text.AppendLine($"| {workload.Name} | {string.Join(" | ", cells)} |");
        }

        return text.ToString();
    }

    // "1.23 [1.10–1.40]": the median and the range of the values (NaN where they were not measured).
    private static string Spread(IEnumerable<double> values, string format)
    {
        var v = values.ToArray();
        if (v.Length == 0 || v.Any(double.IsNaN))
        {
            return "n/a";
        }

        return string.Format(CultureInfo.InvariantCulture, $"{{0:{format}}} [{{1:{format}}}–{{2:{format}}}]",
            Statistics.Median(v), v.Min(), v.Max());
    }

    // The per-round ratios of two contenders' wall times (their timings of the same round), as a spread.
    private static string RatioCell(Dictionary<string, List<StepTiming>> times, string top, string bottom) =>
        Spread(times[top].Zip(times[bottom], (a, b) => a.WallMilliseconds / b.WallMilliseconds), "F2");
}
