namespace PrivilegedAttribution.Optimizers;

/// <summary>
/// The <see cref="Scalar"/> operands of one parameter's update, released together when the update ends.
/// </summary>
/// <remarks>
/// A TorchSharp <see cref="Scalar"/> owns a small native object, and no dispose scope takes it: a <c>double</c>
/// passed where a <see cref="Scalar"/> is expected (<c>t.mul_(0.9)</c>, <c>alpha: 1 - beta1</c>, and the <c>1</c>
/// that overloads such as <c>add_(Scalar)</c> supply themselves) is converted implicitly and lives until the
/// garbage collector finalizes it. Training allocates little managed memory, so that can take thousands of steps,
/// and meanwhile those small blocks sit between the parameter-sized temporaries in glibc's heap, which can then
/// neither reuse nor return the space (docs/articles/optimizer-memory.md). Every operand made here is disposed by
/// <see cref="Dispose"/>.
/// </remarks>
internal sealed class StepScalars : IDisposable
{
    private readonly List<Scalar> _scalars = new(capacity: 8);

    /// <summary>A floating-point operand, as the implicit conversion from <c>double</c> makes it.</summary>
    public Scalar Of(double value) => Keep(value);

    /// <summary>An integer operand, as the implicit conversion from <c>int</c> makes it (TorchSharp's own overloads
    /// pass <c>1</c> this way).</summary>
    public Scalar Of(int value) => Keep(value);

    /// <summary>Disposes every operand made so far.</summary>
    public void Dispose()
    {
        foreach (var scalar in _scalars)
        {
            scalar.Dispose();
        }

        _scalars.Clear();
    }

    private Scalar Keep(Scalar scalar)
    {
        _scalars.Add(scalar);
        return scalar;
    }
}
