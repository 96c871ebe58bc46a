namespace PrivilegedAttribution;

/// <summary>
/// The one place where a training step reads tensor values back to the host: every value check of a step (label
/// range, privileged information, finiteness) is folded into one bool tensor, read once. A read waits for the device
/// to finish the step's work, so on an accelerator it is made only when asked for
/// (<see cref="PalObjective.GuardNonFinite"/>). <see cref="Count"/> lets tests prove the budget of one per step.
/// </summary>
internal static class HostReads
{
    private static long _count;

    /// <summary>How many reads this process has made through <see cref="Flags"/>.</summary>
    internal static long Count => Interlocked.Read(ref _count);

    /// <summary>Reads a 1-D bool tensor of flags (true = passed) to the host.</summary>
    internal static bool[] Flags(Tensor flags)
    {
        Interlocked.Increment(ref _count);
        // Each conversion makes a new tensor handle, even when it changes nothing: dispose both here, so that a read
        // made outside a dispose scope leaves no tensor behind.
        using var typed = flags.to(ScalarType.Bool);
        using var host = typed.cpu();
        return host.data<bool>().ToArray();
    }
}
