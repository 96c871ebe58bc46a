namespace PrivilegedAttribution;

/// <summary>
/// Thrown by <see cref="PalObjective.Compute"/> when <see cref="PalObjective.GuardNonFinite"/> is on and a loss term
/// is NaN or ±Inf: training on it would turn every weight into NaN.
/// </summary>
public sealed class NonFiniteLossException : ArithmeticException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="values">Every term of the objective by name ("cross-entropy", "PAL at 'layer3'", "total") with
    /// its value.</param>
    public NonFiniteLossException(IReadOnlyDictionary<string, double> values)
        : base(Describe(values)) => Values = values;

    /// <summary>Every term of the objective by name, with its value.</summary>
    public IReadOnlyDictionary<string, double> Values { get; }

    private static string Describe(IReadOnlyDictionary<string, double> values)
    {
        var bad = values.Where(v => !double.IsFinite(v.Value)).Select(v => v.Key);
        var all = string.Join(", ", values.Select(v => $"{v.Key} = {v.Value:G6}"));
        return $"The training objective is not finite ({string.Join(", ", bad)}): {all}. The model's weights or " +
               "inputs may already be non-finite (a learning rate too high, an earlier step that diverged), or, on " +
               "a CPU, LibTorch's oneDNN convolution backward returned NaN (a known LibTorch 2.10 bug on AVX-512 " +
               "CPUs): call CpuBackend.SetMkldnnEnabled(false) at start-up.";
    }
}
