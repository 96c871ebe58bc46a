using System.Diagnostics;
using System.Runtime.InteropServices;

namespace PrivilegedAttribution.Benchmarks.Measurement;

/// <summary>
/// What the kernel has done for this process so far, all threads together: CPU time in system mode and minor page
/// faults (pages mapped in without I/O), from <c>getrusage(RUSAGE_SELF)</c> (microseconds, where /proc/self/stat
/// counts 10 ms ticks). A step that hands its memory back to the kernel and faults it in again shows here, not in
/// its wall time alone (see <see cref="CpuBackend.KeepFreedMemory"/>).
/// </summary>
/// <param name="SystemMilliseconds">System CPU time.</param>
/// <param name="MinorPageFaults">Minor page faults; NaN where getrusage is missing.</param>
public readonly record struct KernelUsage(double SystemMilliseconds, double MinorPageFaults)
{
    // struct rusage on 64-bit Linux: ru_utime and ru_stime (timeval: seconds, microseconds), then 14 longs, of which
    // ru_minflt is the fifth.
    private const int RusageLongs = 18;
    private const int SystemSeconds = 2;
    private const int SystemMicroseconds = 3;
    private const int MinorFaults = 8;

    /// <summary>The counters now.</summary>
    public static KernelUsage Now()
    {
        if (OperatingSystem.IsLinux() && Environment.Is64BitProcess)
        {
            try
            {
                var usage = new long[RusageLongs];
                if (GetResourceUsage(0 /* RUSAGE_SELF */, usage) == 0)
                {
                    return new KernelUsage(usage[SystemSeconds] * 1e3 + usage[SystemMicroseconds] / 1e3,
                        usage[MinorFaults]);
                }
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
            }
        }

        using var self = Process.GetCurrentProcess();
        return new KernelUsage(self.PrivilegedProcessorTime.TotalMilliseconds, double.NaN);
    }

    /// <summary>What happened between <paramref name="before"/> and <paramref name="after"/>.</summary>
    public static KernelUsage operator -(KernelUsage after, KernelUsage before) => new(
        after.SystemMilliseconds - before.SystemMilliseconds, after.MinorPageFaults - before.MinorPageFaults);

    [DllImport("libc", EntryPoint = "getrusage")]
    private static extern int GetResourceUsage(int who, [Out] long[] usage);
}
