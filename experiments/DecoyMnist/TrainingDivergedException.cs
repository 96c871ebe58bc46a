using System.Globalization;

namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>
/// Stops a training loop whose loss is no longer finite: once a NaN or an infinity reaches the loss, every
/// weight it touches becomes NaN on the next optimiser step, and the rest of the run (minutes to hours) would train
/// and report a broken model. The message names where it happened, the loss terms' values and the likely causes; the
/// program turns it into that message and <see cref="ExitCode"/> (<see cref="ExitCodeOf"/>).
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>The exit code of a program whose training stopped on a non-finite loss.</summary>
    public const int ExitCode = 3;

    private TrainingDivergedException(string message)
        : base(message)
    {
    }

    /// <summary>Throws when any of <paramref name="terms"/> is NaN or infinite.</summary>
    /// <param name="epoch">The epoch, counted from 1.</param>
    /// <param name="epochs">The number of epochs of the run.</param>
    /// <param name="step">Where in the epoch the values were read, e.g. "step 17/40".</param>
    /// <param name="terms">The loss terms as read on the host, e.g. ("CE", 2.3), ("PAL layer3", -0.41).</param>
    public static void ThrowIfNonFinite(int epoch, int epochs, string step, params (string Name, double Value)[] terms)
    {
        if (terms.All(term => double.IsFinite(term.Value)))
        {
            return;
        }

        var values = string.Join(", ", terms.Select(term =>
            string.Create(CultureInfo.InvariantCulture, $"{term.Name} = {term.Value:G6}")));
        var oneDnn = CpuBackend.IsMkldnnEnabled() switch
        {
            true => "it is enabled in this run",
            false => "it is already disabled in this run",
            null => "this LibTorch does not export the switch",
        };
        throw new TrainingDivergedException(
            $"Training stopped: the loss is not finite in epoch {epoch}/{epochs}, {step} ({values}). Likely causes: " +
            "(1) a learning rate (or a λ) too high, which makes the weights diverge: try a smaller --lr; " +
            "(2) LibTorch 2.10's oneDNN bug on AVX-512 CPUs, whose convolution backward returns NaN gradients at " +
            "random for small channel counts: CpuBackend.SetMkldnnEnabled(false) cures it (CpuBackend." +
            $"ConfigureForTraining() does it at start-up; {oneDnn}).");
    }

    /// <summary>Runs a command; when its training stops on a non-finite loss, prints the message to the
    /// standard error and returns <see cref="ExitCode"/> instead of a stack trace.</summary>
    /// <param name="command">The command's body; returns its exit code.</param>
    public static int ExitCodeOf(Func<int> command)
    {
        try
        {
            return command();
        }
        catch (TrainingDivergedException e)
        {
            Console.Error.WriteLine(e.Message);
            return ExitCode;
        }
    }
}
