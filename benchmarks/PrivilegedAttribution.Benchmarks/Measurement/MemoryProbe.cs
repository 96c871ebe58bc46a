using System.Text.Json.Nodes;
using PrivilegedAttribution.Benchmarks.Workloads;

namespace PrivilegedAttribution.Benchmarks.Measurement;

/// <summary>
/// The peak native memory of single training steps, measured in the fresh process that runs this (the ratio driver
/// starts one per step kind): warm-up steps first (gradients, optimiser state and LibTorch's caches exist from then
/// on, as in training), then for each measured step two peaks above the level before it: the bytes the allocator has
/// handed out (<see cref="LiveHeapPeak"/>) and the resident memory (<see cref="NativeMemory"/>). Prints one JSON
/// line, like the PyTorch counterpart's memory mode.
/// </summary>
public static class MemoryProbe
{
    /// <summary>Measures and prints.</summary>
    /// <param name="options">The workload.</param>
    /// <param name="step">The step to measure.</param>
    /// <param name="warmup">Steps before the measured ones.</param>
    /// <param name="repeats">Steps measured.</param>
    /// <param name="freeze">A module name (e.g. <c>layer4</c>) whose parameters get no gradient, or empty: what the
    /// gradients of that module's weights add to the peak (PAL at <c>layer3</c> adds <c>layer4</c>'s second-order
    /// ones).</param>
    public static void Run(WorkloadOptions options, StepCase step, int warmup, int repeats, string freeze = "")
    {
        if (!NativeMemory.CanMeasurePeak || !LiveHeapPeak.IsAvailable)
        {
            throw new InvalidOperationException("The peaks need /proc/self/clear_refs and glibc's mallinfo2 (Linux).");
        }

        using var workload = new ClassifierWorkload(options);
        workload.Prepare(step);
        var frozen = Freeze(workload.Model, freeze);
        for (var i = 0; i < warmup; i++)
        {
            workload.Run(step);
        }

        var peaks = new JsonArray();
        var livePeaks = new JsonArray();
        long before = 0;
        for (var i = 0; i < repeats; i++)
        {
            before = NativeMemory.BeginPeak();
            using var live = LiveHeapPeak.Start();
            workload.Run(step);
            livePeaks.Add(live.Stop());
            peaks.Add(NativeMemory.EndPeak(before));
        }

        var answer = new JsonObject
        {
            ["framework"] = "torchsharp",
            ["step"] = step.ToString(),
            ["frozen_parameters"] = frozen,
            ["rss"] = before,
            ["zero_grad"] = options.ZeroGrad,
            ["peak_delta"] = peaks,
            ["live_peak_delta"] = livePeaks,
            ["peak_total"] = NativeMemory.PeakResidentBytes(),
        };
        Console.WriteLine(answer.ToJsonString());
    }

    private static int Freeze(TorchSharp.torch.nn.Module model, string module)
    {
        if (module.Length == 0)
        {
            return 0;
        }

        var frozen = 0;
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (name.StartsWith(module + ".", StringComparison.Ordinal))
            {
                parameter.requires_grad = false;
                frozen++;
            }
        }

        return frozen > 0
            ? frozen
            : throw new ArgumentException($"The model has no parameter under '{module}'.", nameof(module));
    }
}
