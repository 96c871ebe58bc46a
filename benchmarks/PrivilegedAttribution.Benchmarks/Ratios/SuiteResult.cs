using PrivilegedAttribution.Benchmarks.Workloads;

namespace PrivilegedAttribution.Benchmarks.Ratios;

/// <summary>What <see cref="RatioDriver"/> measured for one <see cref="RatioSuite"/>.</summary>
/// <param name="Suite">The suite.</param>
/// <param name="Options">The workload it ran (the profile decides the size).</param>
/// <param name="StepsPerBlock">Consecutive steps per timed block.</param>
/// <param name="Times">Each contender's blocks, one per measured round (index i of every list is round i).</param>
/// <param name="Memory">Per measure, the peak native memory of each probed contender key over fresh processes; null
/// when not measured.</param>
/// <param name="PyTorchNote">Why PyTorch did not run, or null when it did.</param>
/// <param name="PyTorchVersions">The PyTorch worker's versions and settings, or null.</param>
/// <param name="Started">When the suite started (UTC).</param>
/// <param name="LoadBefore">The load average before.</param>
/// <param name="LoadAfter">The load average after.</param>
public sealed record SuiteResult(
    RatioSuite Suite,
    WorkloadOptions Options,
    int StepsPerBlock,
    IReadOnlyDictionary<string, List<StepTiming>> Times,
    IReadOnlyDictionary<MemoryMeasure, Dictionary<string, PeakMemory>>? Memory,
    string? PyTorchNote,
    string? PyTorchVersions,
    DateTime Started,
    string LoadBefore,
    string LoadAfter)
{
    /// <summary>The per-round ratios of <paramref name="ratio"/>'s wall times per step, or null where a side was not
    /// measured (PyTorch absent).</summary>
    public double[]? PerRound(RatioDefinition ratio) =>
        Times.TryGetValue(ratio.Numerator, out var top) && top.Count > 0
        && Times.TryGetValue(ratio.Denominator, out var bottom) && bottom.Count > 0
            ? top.Zip(bottom, (a, b) => a.WallMilliseconds / b.WallMilliseconds).ToArray()
            : null;

    /// <summary>The ratio of <paramref name="ratio"/>'s two median peak memories by <paramref name="measure"/>, or
    /// null where a side was not probed.</summary>
    public double? MemoryRatio(RatioDefinition ratio, MemoryMeasure measure) =>
        Memory is not null && Memory.TryGetValue(measure, out var peaks)
        && peaks.TryGetValue(ratio.Numerator, out var a) && peaks.TryGetValue(ratio.Denominator, out var b)
            ? a.Median / b.Median
            : null;
}
