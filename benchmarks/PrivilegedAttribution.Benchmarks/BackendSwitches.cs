namespace PrivilegedAttribution.Benchmarks;

/// <summary>
/// The process-wide CPU back-end settings a run of this program chooses: by default those of
/// <see cref="CpuBackend.ConfigureForTraining"/> (freed memory kept, NNPACK off, oneDNN off on AVX-512 CPUs);
/// <c>--allocator default</c> leaves glibc's allocator as it is and <c>--onednn on</c> keeps oneDNN, so that runs can
/// be compared (the <c>backend</c> command compares all four in one run). NNPACK is always off: it only prints.
/// </summary>
/// <param name="KeepFreedMemory">glibc keeps freed memory (<see cref="CpuBackend.KeepFreedMemory"/>).</param>
/// <param name="OneDnn">LibTorch may use oneDNN for convolutions (<see cref="CpuBackend.SetMkldnnEnabled"/>).</param>
public sealed record BackendSwitches(bool KeepFreedMemory, bool OneDnn)
{
    /// <summary>The switches the options choose: <c>--allocator kept|default</c> and <c>--onednn auto|on|off</c>
    /// (auto: off where <see cref="CpuBackend.MkldnnBugSeenOnThisCpuKind"/>).</summary>
    /// <param name="allocator">kept or default.</param>
    /// <param name="oneDnn">auto, on or off.</param>
    public static BackendSwitches From(string allocator, string oneDnn) =>
        new(Choice(allocator, "--allocator", "kept", "default"),
            oneDnn == "auto" ? !CpuBackend.MkldnnBugSeenOnThisCpuKind : Choice(oneDnn, "--onednn", "on", "off"));

    /// <summary>Sets them in this process; call once, before the first tensor. The allocator's setting cannot be
    /// undone in a running process.</summary>
    /// <exception cref="InvalidOperationException">A switch this run asks for is not available here.</exception>
    public void Apply()
    {
        if (KeepFreedMemory)
        {
            var settings = CpuBackend.ConfigureForTraining(disableMkldnn: !OneDnn);
            if (!settings.KeepsFreedMemory)
            {
                throw new InvalidOperationException("glibc's mallopt is not available: use --allocator default.");
            }
        }
        else
        {
            CpuBackend.SetNnpackEnabled(false);
            CpuBackend.SetMkldnnEnabled(OneDnn);
        }
    }

    /// <summary>The command-line options that choose these switches in a child process.</summary>
    public string[] ToArguments() =>
        ["--allocator", KeepFreedMemory ? "kept" : "default", "--onednn", OneDnn ? "on" : "off"];

    /// <summary>"allocator kept, oneDNN off, NNPACK off", as reports print it.</summary>
    public override string ToString() =>
        $"allocator {(KeepFreedMemory ? "kept" : "default")}, oneDNN {(OneDnn ? "on" : "off")}, NNPACK off";

    private static bool Choice(string value, string option, string yes, string no) => value switch
    {
        _ when value == yes => true,
        _ when value == no => false,
        _ => throw new ArgumentException($"{option} must be {yes} or {no}; got '{value}'.", nameof(value)),
    };
}
