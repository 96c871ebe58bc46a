using System.Runtime.InteropServices;

namespace PrivilegedAttribution;

/// <summary>
/// Switches of LibTorch's CPU backend that TorchSharp does not expose.
/// </summary>
public static class CpuBackend
{
    /// <summary>
    /// Enables or disables NNPACK for convolutions, like PyTorch's <c>torch.backends.nnpack.set_flags</c>. On CPUs
    /// NNPACK does not support, LibTorch prints "Could not initialize NNPACK" for every convolution (tens of
    /// thousands of lines in a training run, which <c>TORCH_CPP_LOG_LEVEL</c> does not silence); disabling it
    /// silences them and leaves the results unchanged (the other CPU kernels take over).
    /// </summary>
    /// <returns>False where LibTorch's CPU library does not export the switch (nothing was changed).</returns>
    public static bool SetNnpackEnabled(bool enabled)
    {
        // Make sure TorchSharp has loaded its native libraries before ours are resolved against them.
        _ = TorchSharp.torch.get_num_threads();
        try
        {
            // at::globalContext().setUserEnabledNNPACK(enabled): a member function, so the context is passed as
            // the implicit first argument (the Itanium C++ ABI on Linux and macOS).
            var context = GlobalContext();
            SetUserEnabledNnpack(context, enabled);
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
}
