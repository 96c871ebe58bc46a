using System.Runtime.InteropServices;

namespace PrivilegedAttribution.Benchmarks.Measurement;

/// <summary>
/// The peak of the bytes glibc's allocator has handed out and not yet had back (mallinfo2's <c>uordblks</c> +
/// <c>hblkhd</c>, every arena) during one piece of work, above the level when it started: what LibTorch's tensors
/// occupy, the measure PyTorch's own memory statistics use on GPUs (bytes allocated, not pages resident). A
/// background thread reads the figure in a loop while the work runs, so that a peak lasting less than one reading
/// (a few microseconds) can be missed.
/// </summary>
/// <remarks>
/// The resident-set peak (<see cref="NativeMemory"/>) counts every page the step touched, freed or not: with glibc
/// keeping freed memory, where the step's tensors land in the heap differs from process to process, and so did that
/// peak (PyTorch's PAL step: 149 MiB in one process, 205 in another). The live bytes do not depend on placement:
/// over five fresh processes each step kind of ResNet-18 agreed to 2 MiB or less but one (14 MiB), and TorchSharp's
/// steps to PyTorch's within 1 %.
/// </remarks>
public sealed class LiveHeapPeak : IDisposable
{
    private readonly long _start;
    private readonly Thread _sampler;
    private long _peak;
    private volatile bool _stop;

    private LiveHeapPeak()
    {
        _start = LiveBytes();
        _peak = _start;
        _sampler = new Thread(Sample) { IsBackground = true, Name = "live-heap sampler" };
        _sampler.Start();
    }

    /// <summary>Whether glibc's mallinfo2 answers here (Linux with glibc ≥ 2.33).</summary>
    public static bool IsAvailable { get; } = Probe();

    /// <summary>The bytes glibc has handed out and not had back, now.</summary>
    public static long LiveBytes()
    {
        var info = MallInfo2();
        return checked((long)(info.InUseBytes + info.MappedBytes));
    }

    /// <summary>Starts sampling from the current level.</summary>
    /// <exception cref="PlatformNotSupportedException">mallinfo2 is not available (<see cref="IsAvailable"/>).
    /// </exception>
    public static LiveHeapPeak Start() => IsAvailable
        ? new LiveHeapPeak()
        : throw new PlatformNotSupportedException("glibc's mallinfo2 is not available here (glibc 2.33 or later).");

    /// <summary>Stops sampling and returns the peak above the starting level, in bytes.</summary>
    public long Stop()
    {
        _stop = true;
        _sampler.Join();
        return Math.Max(0, Math.Max(_peak, LiveBytes()) - _start);
    }

    /// <summary>Stops the sampler if <see cref="Stop"/> was not called.</summary>
    public void Dispose()
    {
        _stop = true;
        _sampler.Join();
    }

    private void Sample()
    {
        while (!_stop)
        {
            // Only this thread writes _peak; Stop reads it after Join.
            _peak = Math.Max(_peak, LiveBytes());
        }
    }

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            _ = MallInfo2();
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "mallinfo2")]
    private static extern MallocInfo MallInfo2();

    // glibc's struct mallinfo2: ten size_t fields, in this order.
    [StructLayout(LayoutKind.Sequential)]
    private readonly struct MallocInfo
    {
        public readonly nuint Arena;
        public readonly nuint FreeChunks;
        public readonly nuint FastChunks;
        public readonly nuint MappedChunks;
        public readonly nuint MappedBytes;
        public readonly nuint MaxTotalAllocated;
        public readonly nuint FastFreeBytes;
        public readonly nuint InUseBytes;
        public readonly nuint FreeBytes;
        public readonly nuint TopReleasable;
    }
}
