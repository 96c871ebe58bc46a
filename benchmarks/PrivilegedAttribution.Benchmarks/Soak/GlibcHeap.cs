using System.Runtime.InteropServices;

namespace PrivilegedAttribution.Benchmarks.Soak;

/// <summary>glibc's account of its heap (<c>mallinfo2</c>, glibc 2.33 and later, every arena): its size and the part
/// live blocks use. A heap that grows while the bytes in use stay flat is fragmenting.</summary>
public static class GlibcHeap
{
    /// <summary>Whether mallinfo2 answers here.</summary>
    public static bool IsAvailable { get; } = Probe();

    /// <summary>Bytes of heap glibc holds from the system (<c>arena</c>), in use or free; 0 where unavailable.
    /// </summary>
    public static long Bytes() => IsAvailable ? (long)MallInfo2().Arena : 0;

    /// <summary>Bytes in live blocks (<c>uordblks</c> + <c>hblkhd</c>); 0 where unavailable.</summary>
    public static long BytesInUse() => IsAvailable ? (long)(MallInfo2().InUse + MallInfo2().Mapped) : 0;

    private static bool Probe()
    {
        try
        {
            return OperatingSystem.IsLinux() && MallInfo2().Arena > 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    // glibc's struct mallinfo2 (malloc.h): ten size_t fields.
    [StructLayout(LayoutKind.Sequential)]
    private readonly struct MallocInfo
    {
        public readonly nuint Arena;
        private readonly nuint _ordblks, _smblks, _hblks;
        public readonly nuint Mapped;
        private readonly nuint _usmblks, _fsmblks;
        public readonly nuint InUse;
        private readonly nuint _fordblks, _keepcost;
    }

    [DllImport("libc", EntryPoint = "mallinfo2")]
    private static extern MallocInfo MallInfo2();
}
