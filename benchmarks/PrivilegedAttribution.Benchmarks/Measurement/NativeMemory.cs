using System.Runtime.InteropServices;

namespace PrivilegedAttribution.Benchmarks.Measurement;

/// <summary>
/// The process's resident memory as Linux reports it. LibTorch allocates tensors with malloc, outside the .NET heap,
/// so the managed memory diagnoser does not see them; the resident set does. The peak of one piece of work is
/// measured as the high-water mark (VmHWM) reached during it minus the resident size (VmRSS) just before it, after
/// (1) malloc_trim has returned the allocator's free pages, so that memory freed by earlier work is not silently
/// reused and hidden, and (2) the high-water mark has been reset through /proc/self/clear_refs.
/// </summary>
public static class NativeMemory
{
    /// <summary>Whether the peak can be reset here (Linux ≥ 4.0 with a writable /proc/self/clear_refs).</summary>
    public static bool CanMeasurePeak { get; } = TryResetPeak();

    /// <summary>VmRSS in bytes, or −1 where /proc is missing.</summary>
    public static long ResidentBytes() => ReadStatus("VmRSS:");

    /// <summary>VmHWM in bytes, or −1 where /proc is missing.</summary>
    public static long PeakResidentBytes() => ReadStatus("VmHWM:");

    /// <summary>Returns freed heap pages to the system, so that the resident size is the live size.</summary>
    public static void Trim()
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                _ = MallocTrim(0);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                // Not glibc: the measurement is then an upper bound on the live memory.
            }
        }
    }

    /// <summary>Trims, resets the peak and returns the resident size to measure from.</summary>
    public static long BeginPeak()
    {
        Trim();
        TryResetPeak();
        return ResidentBytes();
    }

    /// <summary>The peak reached since <see cref="BeginPeak"/> above its starting size, in bytes (NaN where the
    /// peak cannot be reset).</summary>
    public static double EndPeak(long start) =>
        CanMeasurePeak && start >= 0 ? Math.Max(0, PeakResidentBytes() - start) : double.NaN;

    private static bool TryResetPeak()
    {
        try
        {
            // "5" resets the peak resident set size (see proc(5), /proc/pid/clear_refs).
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return false;
        }
    }

    private static long ReadStatus(string key)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith(key, StringComparison.Ordinal))
                {
                    // "VmRSS:	  123456 kB"
                    var parts = line[key.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return -1;
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);
}
