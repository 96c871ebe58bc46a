namespace PrivilegedAttribution.Benchmarks.Ratios;

/// <summary>What one timing of a <see cref="Contender"/> measured, per step (a timing may cover a block of consecutive
/// steps: then these are the block's means).</summary>
/// <param name="WallMilliseconds">Wall-clock time.</param>
/// <param name="SystemMilliseconds">CPU time spent in the kernel on the process's behalf (all its threads); NaN where
/// the contender does not measure it.</param>
/// <param name="MinorPageFaults">Page faults served without I/O (memory mapped in afresh); NaN where not measured.
/// </param>
/// <param name="StepMilliseconds">The wall-clock time of each step of the block, in order (null where the contender
/// times the block only): shows whether a block mixes fast and slow steps.</param>
public sealed record StepTiming(
    double WallMilliseconds,
    double SystemMilliseconds = double.NaN,
    double MinorPageFaults = double.NaN,
    IReadOnlyList<double>? StepMilliseconds = null);
