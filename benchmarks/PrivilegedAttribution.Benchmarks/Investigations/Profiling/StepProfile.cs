using System.Globalization;
using System.Text;
using MathNet.Numerics.Statistics;
using PrivilegedAttribution.Benchmarks.Ratios;
using PrivilegedAttribution.Benchmarks.Workloads;

namespace PrivilegedAttribution.Benchmarks.Investigations.Profiling;

/// <summary>
/// Where a PAL step's extra time goes, TorchSharp side: (1) the wall time of each part of the plain and PAL steps,
/// interleaved over rounds, medians; (2) one convolution's double backward taken apart
/// (<see cref="ConvDoubleBackwardProbe"/>); (3) LibTorch's operator profile of both steps (self time per operator and
/// per autograd function, and the difference), read from <see cref="LibTorchTrace"/>. The PyTorch side has its own:
/// <c>/usr/bin/python3 benchmarks/pytorch/pal_step.py profile</c>.
/// </summary>
public static class StepProfile
{
    /// <summary>Runs both parts and returns the Markdown report.</summary>
    public static string Run(BenchmarkProfile profile, string layer, int threads, string traceFolder, string command)
    {
        var options = new WorkloadOptions("resnet18", profile.BatchSizes[0], profile.InputSizes[0]);
        using var workload = new ClassifierWorkload(options);
        var plain = new StepCase(TrainingStep.Plain, layer);
        var pal = new StepCase(TrainingStep.PalStraightforward, layer);
        var text = new StringBuilder();
        text.AppendLine($"Profile of {options}, PAL at {layer}, {threads} threads; {Machine.Describe()}; load " +
                        $"average {Machine.LoadAverage()} at the start.");
        text.AppendLine();
        text.AppendLine($"Command: `{command}`");
        text.AppendLine();

        // (1) Parts of the step, interleaved.
        var parts = new Dictionary<StepCase, List<double[]>> { [plain] = [], [pal] = [] };
        for (var round = -2; round < profile.Rounds; round++)
        {
            foreach (var step in round % 2 == 0 ? new[] { plain, pal } : [pal, plain])
            {
                var times = StepSegments.Time(workload, step);
                if (round >= 0)
                {
                    parts[step].Add(times);
                }
            }
        }

        text.AppendLine($"Parts of a step, median ms over {profile.Rounds} interleaved rounds:");
        text.AppendLine();
        text.AppendLine("| Part | Plain step | PAL step (straightforward) | Extra |");
        text.AppendLine("|---|---|---|---|");
        double plainTotal = 0, palTotal = 0;
        for (var i = 0; i < StepSegments.Names.Length; i++)
        {
            var a = Statistics.Median(parts[plain].Select(p => p[i]).ToArray());
            var b = Statistics.Median(parts[pal].Select(p => p[i]).ToArray());
            plainTotal += a;
            palTotal += b;
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {StepSegments.Names[i]} | {a:F1} | {b:F1} | {b - a:+0.0;-0.0} |");
        }

        text.AppendLine(CultureInfo.InvariantCulture,
            $"| **sum of medians** | {plainTotal:F1} | {palTotal:F1} | {palTotal - plainTotal:+0.0;-0.0} |");
        text.AppendLine();

        // (2) One layer4 convolution's double backward, taken apart.
        text.AppendLine(ConvDoubleBackwardProbe.Run(options.Batch, options.Size, Math.Max(3, profile.Rounds)));

        // (3) LibTorch's operator profile.
        Directory.CreateDirectory(traceFolder);
        var summaries = new Dictionary<StepCase, TraceSummary>();
        foreach (var step in new[] { plain, pal })
        {
            workload.Prepare(step);
            workload.Run(step);
            var path = Path.Combine(traceFolder, $"trace-{step.Step}-{step.Layer}.json");
            var steps = Math.Max(1, Math.Min(3, profile.Rounds));
            using (var trace = LibTorchTrace.TryStart(path))
            {
                if (trace is null)
                {
                    text.AppendLine("LibTorch's RecordProfile is not exported by this LibTorch: no operator profile.");
                    return text.ToString();
                }

                for (var i = 0; i < steps; i++)
                {
                    workload.Run(step);
                }
            }

            summaries[step] = TraceSummary.Read(path, steps);
        }

        text.Append(TraceSummary.Compare(summaries[plain], summaries[pal], "plain", "PAL", 30));
        text.AppendLine();
        text.AppendLine($"Traces (Chrome trace format, open in a trace viewer): {traceFolder}");
        return text.ToString();
    }
}
