using System.Text.Json.Nodes;
using PrivilegedAttribution.Benchmarks.Workloads;

namespace PrivilegedAttribution.Benchmarks.Measurement;

/// <summary>
/// The peak native memory of single training steps, measured in the fresh process that runs this (the ratio driver
/// starts one per step kind): warm-up steps first (gradients, optimiser state and LibTorch's caches exist from then
/// on, as in training), then for each measured step the peak resident memory above the resident size before it
/// (<see cref="NativeMemory"/>). Prints one JSON line, like the PyTorch counterpart's memory mode.
/// </summary>
public static class MemoryProbe
{
    /// <summary>Measures and prints.</summary>
    public static void Run(WorkloadOptions options, StepCase step, int warmup, int repeats)
    {
        if (!NativeMemory.CanMeasurePeak)
        {
            throw new InvalidOperationException("/proc/self/clear_refs cannot reset the peak here (Linux only).");
        }

        using var workload = new ClassifierWorkload(options);
        workload.Prepare(step);
        for (var i = 0; i < warmup; i++)
        {
            workload.Run(step);
        }

        var peaks = new JsonArray();
        long before = 0;
        for (var i = 0; i < repeats; i++)
        {
            before = NativeMemory.BeginPeak();
            workload.Run(step);
            peaks.Add(NativeMemory.EndPeak(before));
        }

        var answer = new JsonObject
        {
            ["framework"] = "torchsharp",
            ["step"] = step.ToString(),
            ["rss"] = before,
            ["peak_delta"] = peaks,
            ["peak_total"] = NativeMemory.PeakResidentBytes(),
        };
        Console.WriteLine(answer.ToJsonString());
    }
}
