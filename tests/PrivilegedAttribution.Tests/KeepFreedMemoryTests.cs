using System.Runtime.InteropServices;

namespace PrivilegedAttribution.Tests;

/// <summary>
/// <see cref="CpuBackend.KeepFreedMemory"/> must keep every block on glibc's heap, the large ones included: a block
/// above 32 MiB (the largest mmap threshold glibc accepts) would otherwise be mapped on malloc and unmapped on free,
/// page-faulting VGG-11-BN's 400 MB classifier gradients in again every step. glibc counts the bytes it has mapped
/// for single blocks (<c>mallinfo2().hblkhd</c>); a kept 48 MiB block must not add to them.
/// </summary>
public sealed class KeepFreedMemoryTests
{
    [Test]
    public void A_block_above_the_largest_mmap_threshold_is_served_from_the_heap()
    {
        Assume.That(OperatingSystem.IsLinux(), "glibc's allocator");
        Assert.That(CpuBackend.KeepFreedMemory(), Is.True);

        const nuint size = 48 << 20;
        var before = MallInfo2().MappedBlockBytes;
        var block = Malloc(size);
        Assert.That(block, Is.Not.EqualTo(IntPtr.Zero), "malloc failed");
        var mapped = (long)MallInfo2().MappedBlockBytes - (long)before;
        Free(block);

        Assert.That(mapped, Is.Zero,
            $"glibc mapped {mapped / (double)(1 << 20):F1} MiB for a 48 MiB block: it would be unmapped on free and " +
            "page-faulted in again at the next step");
    }

    [Test]
    public void Released_memory_leaves_the_process_and_the_heap_serves_blocks_again()
    {
        Assume.That(OperatingSystem.IsLinux(), "glibc's allocator");
        Assert.That(CpuBackend.KeepFreedMemory(), Is.True);

        // 256 MiB in 2 MiB blocks, each followed by a small block still in use, touched and freed: gaps inside the
        // heap, which KeepFreedMemory keeps (part of them, on a thread with its own arena, as here) for the next step.
        // After ReleaseFreedMemory their pages must have left the process.
        const int blockSize = 2 << 20, blocks = 128;
        var (allocated, guards) = (new IntPtr[blocks], new IntPtr[blocks]);
        var before = ResidentBytes();
        for (var i = 0; i < blocks; i++)
        {
            (allocated[i], guards[i]) = (Malloc(blockSize), Malloc(64));
        }

        Assert.That(allocated.Concat(guards), Has.None.EqualTo(IntPtr.Zero), "malloc failed");
        foreach (var block in allocated)
        {
            for (var offset = 0; offset < blockSize; offset += 4096)
            {
                Marshal.WriteByte(block, offset, 1);
            }
        }

        Array.ForEach(allocated, Free);
        var kept = ResidentBytes() - before;
        Assert.That(CpuBackend.ReleaseFreedMemory(), Is.True);
        var left = ResidentBytes() - before;
        var again = Malloc(blockSize);
        Assert.That(again, Is.Not.EqualTo(IntPtr.Zero), "malloc failed after malloc_trim");
        Marshal.WriteByte(again, blockSize - 1, 2);
        Free(again);
        Array.ForEach(guards, Free);

        // The margin is other threads' allocations meanwhile (the test runner's).
        Assert.That(left, Is.LessThan(24L << 20),
            $"{left / (double)(1 << 20):F1} MiB of 256 MiB of freed blocks stayed in the process " +
            $"({kept / (double)(1 << 20):F1} MiB before ReleaseFreedMemory)");
    }

    private static long ResidentBytes() =>
        long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;

    // glibc's struct mallinfo2 (malloc.h, glibc 2.33 and later): ten size_t fields.
    [StructLayout(LayoutKind.Sequential)]
    private readonly struct MallocInfo
    {
        private readonly nuint _arena, _ordblks, _smblks, _hblks;

        /// <summary>hblkhd: bytes in blocks glibc mapped with mmap.</summary>
        public readonly nuint MappedBlockBytes;

        private readonly nuint _usmblks, _fsmblks, _uordblks, _fordblks, _keepcost;
    }

    [DllImport("libc", EntryPoint = "mallinfo2")]
    private static extern MallocInfo MallInfo2();

    [DllImport("libc", EntryPoint = "malloc")]
    private static extern IntPtr Malloc(nuint size);

    [DllImport("libc", EntryPoint = "free")]
    private static extern void Free(IntPtr block);
}
