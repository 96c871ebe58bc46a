using MathNet.Numerics.Statistics;
using System.Globalization;
using System.Text;
using TorchSharp;

namespace PrivilegedAttribution.Benchmarks.Ratios;

/// <summary>The ratio driver's Markdown report: a header naming the machine (CPU model, family, widest vector
/// instruction set), the software and the command, then per suite its ratios, each contender's time and system time
/// per step, and its peak memories.</summary>
public static class RatioReport
{
    /// <summary>The report of <paramref name="results"/>.</summary>
    public static string Build(IReadOnlyList<SuiteResult> results, BenchmarkProfile profile, int threads,
        BackendSwitches backend, string command)
    {
        var text = new StringBuilder();
        text.AppendLine($"Machine: {Machine.Describe()}.");
        var pytorch = results.Select(r => r.PyTorchVersions).FirstOrDefault(v => v is not null)
                      ?? $"PyTorch: {results.Select(r => r.PyTorchNote).FirstOrDefault() ?? "not run"}";
        text.AppendLine($"Software: TorchSharp {typeof(torch).Assembly.GetName().Version} (LibTorch " +
                        $"{torch.__version__}), .NET {Environment.Version}; {pytorch}; TorchSharp's CPU back end: " +
                        $"{backend}.");
        text.AppendLine();
        text.AppendLine($"Command: `{command}`");
        foreach (var result in results)
        {
            text.AppendLine();
            AppendSuite(text, result, profile, threads);
        }

        return text.ToString();
    }

    private static void AppendSuite(StringBuilder text, SuiteResult result, BenchmarkProfile profile, int threads)
    {
        var options = result.Options;
        text.AppendLine($"### Suite {result.Suite.Name}, run at {options}");
        text.AppendLine();
        text.AppendLine($"{result.Suite.Description}.");
        text.AppendLine();
        var zeroing = options.ZeroGradInPlace
            ? "gradients zeroed in place (optimizer.zero_grad())"
            : "gradients dropped between steps (model.zero_grad())";
        text.AppendLine($"Workload: {options}, {options.Classes} classes, training mode, SGD (momentum 0.9), " +
                        $"{zeroing}, PAL λ = " +
                        $"{options.Lambda.ToString(CultureInfo.InvariantCulture)} (Pearson, mean of the channels), " +
                        $"{threads} intra-op threads; {profile.Rounds} interleaved rounds after " +
                        $"{profile.WarmupRounds} warm-up rounds, each contender running a block of " +
                        $"{result.StepsPerBlock} consecutive steps per round; times are block means per step; ratios " +
                        "are medians of per-round ratios of wall times (p25–p75 in brackets). Load average " +
                        $"{result.LoadBefore} before, {result.LoadAfter} after; " +
                        $"{result.Started:yyyy-MM-dd HH:mm} UTC.");
        text.AppendLine();
        text.AppendLine("| Ratio | Target | Median [p25–p75] | Met |");
        text.AppendLine("|---|---|---|---|");
        foreach (var ratio in result.Suite.TimeRatios)
        {
            if (result.PerRound(ratio) is { } perRound)
            {
                AppendRatio(text, ratio, perRound);
            }
        }

        foreach (var measure in MemoryMeasures.All)
        {
            foreach (var ratio in result.Suite.MemoryRatios)
            {
                if (result.MemoryRatio(ratio, measure) is { } value)
                {
                    AppendRatio(text, ratio with { Label = $"Peak memory ({measure.Label()}): {ratio.Label}" },
                        [value]);
                }
            }
        }

        text.AppendLine();
        text.AppendLine("| Contender | ms/step [p25–p75] | system ms/step [p25–p75] | minor faults/step | " +
                        "single steps min–max ms | Blocks |");
        text.AppendLine("|---|---|---|---|---|---|");
        foreach (var (key, timings) in result.Times)
        {
            var singles = timings.SelectMany(t => t.StepMilliseconds ?? []).ToArray();
            var range = singles.Length == 0
                ? "n/a"
                : string.Create(CultureInfo.InvariantCulture, $"{singles.Min():F1}–{singles.Max():F1}");
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {key} | {Spread(timings.Select(t => t.WallMilliseconds), "F1")} | " +
                $"{Spread(timings.Select(t => t.SystemMilliseconds), "F1")} | " +
                $"{Median(timings.Select(t => t.MinorPageFaults), "F0")} | {range} | {timings.Count} |");
        }

        if (result.Memory is { } memory)
        {
            // Live heap: the bytes glibc handed out (mallinfo2, sampled during the step); resident: the pages the
            // step touched (VmHWM). Both above the level before the step, medians over fresh processes.
            const double MiB = 1024.0 * 1024.0;
            text.AppendLine();
            text.AppendLine("| Peak native memory above the level before the step, MiB, median over fresh processes " +
                            "[min–max] | live heap | resident | processes |");
            text.AppendLine("|---|---|---|---|");
            foreach (var (key, live) in memory[MemoryMeasure.LiveHeap])
            {
                var resident = memory[MemoryMeasure.Resident][key];
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {key} | {live.Median / MiB:F1} [{live.Min / MiB:F1}–{live.Max / MiB:F1}] | " +
                    $"{resident.Median / MiB:F1} [{resident.Min / MiB:F1}–{resident.Max / MiB:F1}] | " +
                    $"{live.Processes} |");
            }
        }
    }

    private static void AppendRatio(StringBuilder text, RatioDefinition ratio, double[] perRound)
    {
        var median = Statistics.Median(perRound);
        var spread = perRound.Length > 1
            ? $" [{Quartiles.Of(perRound, 0.25):F3}–{Quartiles.Of(perRound, 0.75):F3}]"
            : "";
        var met = ratio.Meets is null ? "" : ratio.Meets(median) ? "yes" : "**no**";
        text.AppendLine(CultureInfo.InvariantCulture,
            $"| {ratio.Label} | {ratio.Target} | {median:F3}{spread} | {met} |");
    }

    // "612.3 [600.1–650.0]": the median and interquartile range; "n/a" where the contender did not measure it.
    private static string Spread(IEnumerable<double> values, string format)
    {
        var v = values.ToArray();
        if (v.Length == 0 || v.Any(double.IsNaN))
        {
            return "n/a";
        }

        return string.Format(CultureInfo.InvariantCulture, $"{{0:{format}}} [{{1:{format}}}–{{2:{format}}}]",
            Statistics.Median(v), Quartiles.Of(v, 0.25), Quartiles.Of(v, 0.75));
    }

    private static string Median(IEnumerable<double> values, string format)
    {
        var v = values.ToArray();
        return v.Length == 0 || v.Any(double.IsNaN)
            ? "n/a"
            : Statistics.Median(v).ToString(format, CultureInfo.InvariantCulture);
    }
}
