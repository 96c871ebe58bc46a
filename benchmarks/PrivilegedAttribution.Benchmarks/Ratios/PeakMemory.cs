using MathNet.Numerics.Statistics;

namespace PrivilegedAttribution.Benchmarks.Ratios;

/// <summary>
/// One contender's peak native memory by one <see cref="MemoryMeasure"/> over several fresh processes. With glibc
/// keeping freed memory, where a step's tensors land in the heap differs from process to process, and so does the
/// resident peak: PyTorch's PAL step at ResNet-18 <c>layer3</c> (batch 16, 112×112) peaked at 149 MiB in one process
/// and 185 MiB in the next, each process's three steps agreeing to 1 MiB. One process per contender therefore says
/// little; the median over several does, and the range shows the spread (the live heap's is a fraction of a MiB).
/// </summary>
/// <param name="Median">The median over processes of each process's median peak, in bytes.</param>
/// <param name="Min">The smallest process median, in bytes.</param>
/// <param name="Max">The largest process median, in bytes.</param>
/// <param name="Processes">How many fresh processes measured it.</param>
public sealed record PeakMemory(double Median, double Min, double Max, int Processes)
{
    /// <summary>Summarises the per-process medians <paramref name="processMedians"/>.</summary>
    /// <exception cref="ArgumentException">No process was measured.</exception>
    public static PeakMemory Of(IReadOnlyList<double> processMedians)
    {
        ArgumentNullException.ThrowIfNull(processMedians);
        if (processMedians.Count == 0)
        {
            throw new ArgumentException("At least one process must have been measured.", nameof(processMedians));
        }

        return new PeakMemory(Statistics.Median(processMedians.ToArray()), processMedians.Min(), processMedians.Max(),
            processMedians.Count);
    }
}
