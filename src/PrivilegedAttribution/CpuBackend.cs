using System.Runtime.InteropServices;

namespace PrivilegedAttribution;

/// <summary>
/// Switches of LibTorch's CPU backend (and of the C library's allocator under it) that TorchSharp does not expose,
/// but that decide whether PAL's second-order training is correct, quiet and fast on a CPU. They live in this
/// package because PAL's double backward is what exposes them. Every switch is process-wide; call them once at
/// start-up, before the first training step.
/// </summary>
public static class CpuBackend
{
    /// <summary>glibc's <c>M_TRIM_THRESHOLD</c> (<c>malloc.h</c>).</summary>
    private const int MallocTrimThreshold = -1;

    /// <summary>glibc's <c>M_MMAP_THRESHOLD</c>.</summary>
    private const int MallocMmapThreshold = -3;

    /// <summary>glibc's <c>M_MMAP_MAX</c>: how many blocks may be served by <c>mmap</c> at once (0: none).</summary>
    private const int MallocMmapMax = -4;

    /// <summary>The largest mmap threshold glibc accepts on 64-bit systems (<c>DEFAULT_MMAP_THRESHOLD_MAX</c>).
    /// </summary>
    private const int MaxMmapThreshold = 32 << 20;

    /// <summary>
    /// Enables or disables NNPACK for convolutions, like PyTorch's <c>torch.backends.nnpack.set_flags</c>. On CPUs
    /// NNPACK does not support, LibTorch prints "Could not initialize NNPACK" for every convolution (tens of
    /// thousands of lines in a training run, which <c>TORCH_CPP_LOG_LEVEL</c> does not silence); disabling it
    /// silences them and leaves the results unchanged (the other CPU kernels take over).
    /// </summary>
    /// <returns>False where LibTorch's CPU library does not export the switch (nothing was changed).</returns>
    public static bool SetNnpackEnabled(bool enabled) =>
        CallContext(context => SetUserEnabledNnpack(context, enabled));

    /// <summary>
    /// Enables or disables oneDNN (MKL-DNN) for CPU operators, like PyTorch's <c>torch.backends.mkldnn.enabled</c>.
    /// LibTorch 2.10's oneDNN 3.7.1 convolution backward returns non-finite input gradients at random on some
    /// AVX-512 CPUs for small channel counts that are not multiples of 16, which NaNs the weights of a plain or PAL
    /// training step. Disabling it routes convolutions to LibTorch's native kernels: exact, and slower for wide
    /// layers.
    /// </summary>
    /// <returns>False where LibTorch's CPU library does not export the switch (nothing was changed).</returns>
    public static bool SetMkldnnEnabled(bool enabled) =>
        CallContext(context => SetUserEnabledMkldnn(context, enabled));

    /// <summary>Whether LibTorch will use oneDNN for CPU operators; null where the switch is not exported.</summary>
    public static bool? IsMkldnnEnabled()
    {
        bool? enabled = null;
        CallContext(context => enabled = UserEnabledMkldnn(context));
        return enabled;
    }

    /// <summary>
    /// Tells glibc's allocator to keep freed memory for reuse instead of handing large blocks back to the kernel
    /// (the same as <c>GLIBC_TUNABLES=glibc.malloc.mmap_max=0:glibc.malloc.mmap_threshold=33554432:glibc.malloc.
    /// trim_threshold=…</c>, set from inside the process with <c>mallopt</c>). By default glibc serves every tensor
    /// above 128 KiB–32 MiB with a fresh <c>mmap</c> and returns it on free, so each training step page-faults its
    /// whole working set in again (system time, and a step time that flips between a fast and a slow mode). Blocks
    /// above 32 MiB (the largest mmap threshold glibc accepts) are kept too, by serving no block with <c>mmap</c>:
    /// large weights and their gradients, such as VGG-11-BN's classifier's, otherwise stay mapped afresh in every
    /// step. Memory that was freed stays in the process (its resident size stays near the peak of a step, which
    /// training reaches anyway).
    /// A block above 64 MiB that glibc serves from one of its per-thread arenas is still mapped afresh (those arenas
    /// cannot grow that large); the main thread's arena, where a training loop on that thread and its CPU backward
    /// allocate, has no such limit.
    /// </summary>
    /// <returns>True where every setting was accepted; false on systems without glibc (nothing was changed).
    /// </returns>
    public static bool KeepFreedMemory()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            // No block is served by mmap (larger ones included), the threshold stops glibc from moving it on its
            // own, and the trim threshold stops free() from shrinking the heap after each step.
            return Mallopt(MallocMmapMax, 0) == 1 &&
                   Mallopt(MallocMmapThreshold, MaxMmapThreshold) == 1 &&
                   Mallopt(MallocTrimThreshold, int.MaxValue) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>
    /// Hands back to the system the free memory glibc holds (<c>malloc_trim(0)</c>: the free pages of every arena,
    /// not only the heap's top), which <see cref="KeepFreedMemory"/> otherwise keeps for the next step. Call it
    /// between two phases that allocate differently, after the first one's tensors are disposed: after an epoch's
    /// evaluation, or after training and disposing one model before training the next. Otherwise the gaps the first
    /// phase left stay resident while the second one's blocks, which do not fit them, grow the heap past them: with
    /// VGG-11-BN (0.4 GB blocks), evaluating in batches of 100 between training steps of 32 raised the resident peak
    /// by 0.4 GB over a few epochs, and releasing after each evaluation kept it flat. It does not change
    /// <see cref="KeepFreedMemory"/>'s settings; the next step page-faults its working set in again, once.
    /// </summary>
    /// <returns>True where glibc's <c>malloc_trim</c> was called; false on systems without glibc (nothing was done).
    /// </returns>
    public static bool ReleaseFreedMemory()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            _ = MallocTrim(0);   // 1 when memory went back, 0 when there was none to give: both are success
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>
    /// Whether this CPU is of the kind on which LibTorch 2.10's oneDNN convolution backward returns NaN (see
    /// <see cref="SetMkldnnEnabled"/>): one with AVX-512.
    /// </summary>
    public static bool MkldnnBugSeenOnThisCpuKind => System.Runtime.Intrinsics.X86.Avx512F.IsSupported;

    /// <summary>
    /// The set-up a CPU training program wants, in one call: <see cref="KeepFreedMemory"/>, NNPACK off (silence),
    /// and oneDNN off on the CPUs where its convolution backward was seen returning NaN
    /// (<see cref="MkldnnBugSeenOnThisCpuKind"/>). oneDNN is kept elsewhere because switching it off is expensive:
    /// convolutions, and PAL's double backward of them most, then run on LibTorch's slower native kernels. The
    /// package's samples and benchmarks start with it; its tests pass <c>disableMkldnn: true</c> so that they are
    /// exact on every CPU.
    /// </summary>
    /// <param name="disableMkldnn">Switch oneDNN off (true) or leave it on (false); null (the default) decides by
    /// <see cref="MkldnnBugSeenOnThisCpuKind"/>.</param>
    /// <returns>What each switch reported.</returns>
    public static CpuBackendSettings ConfigureForTraining(bool? disableMkldnn = null)
    {
        var allocator = KeepFreedMemory();
        var nnpack = SetNnpackEnabled(false);
        var disable = disableMkldnn ?? MkldnnBugSeenOnThisCpuKind;
        var mkldnnOff = disable && SetMkldnnEnabled(false);
        return new CpuBackendSettings(allocator, nnpack, mkldnnOff);
    }

    private static bool CallContext(Action<IntPtr> call)
    {
        // Make sure TorchSharp has loaded its native libraries before ours are resolved against them.
        _ = TorchSharp.torch.get_num_threads();
        try
        {
            // at::globalContext() and its members: a member function takes the context as its implicit first
            // argument (the Itanium C++ ABI on Linux and macOS).
            call(GlobalContext());
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [DllImport("torch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    private static extern IntPtr GlobalContext();

    [DllImport("torch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    private static extern void SetUserEnabledNnpack(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [DllImport("torch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    private static extern void SetUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [DllImport("torch_cpu", EntryPoint = "_ZNK2at7Context17userEnabledMkldnnEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static extern bool UserEnabledMkldnn(IntPtr context);

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int parameter, int value);
}
