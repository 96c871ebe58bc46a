namespace PrivilegedAttribution.Benchmarks.Ratios;

/// <summary>The two peaks a memory probe takes of one step, each above the level before the step.</summary>
public enum MemoryMeasure
{
    /// <summary>The bytes glibc has handed out and not had back (<see cref="Measurement.LiveHeapPeak"/>): what the
    /// step's tensors occupy, whatever pages they land on. The measure of "peak memory".</summary>
    LiveHeap,

    /// <summary>The resident set's high-water mark (<see cref="Measurement.NativeMemory"/>): every page the step
    /// touched, which also depends on where the allocator placed its tensors.</summary>
    Resident,
}

/// <summary>Names of <see cref="MemoryMeasure"/> in reports and in the probes' JSON.</summary>
public static class MemoryMeasures
{
    /// <summary>Both measures, the first.</summary>
    public static IReadOnlyList<MemoryMeasure> All { get; } = [MemoryMeasure.LiveHeap, MemoryMeasure.Resident];

    /// <summary>The label in a report's tables.</summary>
    public static string Label(this MemoryMeasure measure) => measure switch
    {
        MemoryMeasure.LiveHeap => "live heap",
        MemoryMeasure.Resident => "resident",
        _ => throw new ArgumentOutOfRangeException(nameof(measure), measure, null),
    };

    /// <summary>The key in the ratio driver's JSON.</summary>
    public static string JsonKey(this MemoryMeasure measure) => measure switch
    {
        MemoryMeasure.LiveHeap => "live_heap",
        MemoryMeasure.Resident => "resident",
        _ => throw new ArgumentOutOfRangeException(nameof(measure), measure, null),
    };

    /// <summary>The field of a memory probe's answer that holds this measure's peak per measured step.</summary>
    public static string ProbeField(this MemoryMeasure measure) => measure switch
    {
        MemoryMeasure.LiveHeap => "live_peak_delta",
        MemoryMeasure.Resident => "peak_delta",
        _ => throw new ArgumentOutOfRangeException(nameof(measure), measure, null),
    };
}
