namespace PrivilegedAttribution;

/// <summary>
/// Tensor arithmetic with numbers that leaves no TorchSharp <see cref="Scalar"/> to the finalizer: the kernels of a
/// training step use these instead of the operators.
/// </summary>
/// <remarks>
/// TorchSharp converts a number passed where a <see cref="Scalar"/> is expected (<c>t * 2.0</c>, <c>t &gt; 0</c>,
/// <c>t.masked_fill(m, 0.0)</c>, <c>full_like(t, v)</c>, and the <c>alpha = 1</c> that <c>t + u</c> and
/// <c>t.square()</c>'s <c>pow(2)</c> pass themselves) into a small native object that no dispose scope takes and that
/// only the finalizer frees. A training loop allocates little managed memory, so the collector seldom runs, and
/// meanwhile those objects sit between the step's large temporaries in glibc's heap, which then grows step after
/// step (docs/articles/optimizer-memory.md; <c>PalStepFinalizerTests</c> counts what a step leaves). Operands made
/// here are disposed before the call returns; the two constants every step needs are made once.
/// </remarks>
internal static class ExplicitScalars
{
    // Shared by every call and never disposed: two native objects for the life of the process.
    private static readonly Scalar Zero = 0;
    private static readonly Scalar One = 1;
    private static readonly Scalar Two = 2;

    /// <summary>0, 1, …, count − 1 (TorchSharp's <c>arange(count)</c> makes three Scalars: start, stop and step).
    /// </summary>
    internal static Tensor Positions(long count, ScalarType dtype, Device device)
    {
        using var stop = count.ToScalar();
        return arange(Zero, stop, One, dtype, device);
    }

    /// <summary>t + u (TorchSharp's operator passes alpha = 1 as a new Scalar).</summary>
    internal static Tensor Plus(this Tensor t, Tensor u) => t.add(u, One);

    /// <summary>t + c.</summary>
    internal static Tensor Plus(this Tensor t, double c)
    {
        using var operand = c.ToScalar();
        return t.add(operand, One);
    }

    /// <summary>t · c.</summary>
    internal static Tensor Times(this Tensor t, double c)
    {
        using var operand = c.ToScalar();
        return t.mul(operand);
    }

    /// <summary>t / c.</summary>
    internal static Tensor DividedBy(this Tensor t, double c)
    {
        using var operand = c.ToScalar();
        return t.div(operand);
    }

    /// <summary>t · c for an integer tensor that stays integer.</summary>
    internal static Tensor Times(this Tensor t, long c)
    {
        using var operand = c.ToScalar();
        return t.mul(operand);
    }

    /// <summary>t² (TorchSharp's <c>square()</c> is <c>pow(2)</c> with a new Scalar).</summary>
    internal static Tensor Squared(this Tensor t) => t.pow(Two);

    /// <summary>t &gt; c.</summary>
    internal static Tensor Above(this Tensor t, double c)
    {
        using var operand = c.ToScalar();
        return t.gt(operand);
    }

    /// <summary>t ≥ c.</summary>
    internal static Tensor AtLeast(this Tensor t, double c)
    {
        using var operand = c.ToScalar();
        return t.ge(operand);
    }

    /// <summary>t &lt; c.</summary>
    internal static Tensor Below(this Tensor t, double c)
    {
        using var operand = c.ToScalar();
        return t.lt(operand);
    }

    /// <summary>t ≤ c.</summary>
    internal static Tensor AtMost(this Tensor t, double c)
    {
        using var operand = c.ToScalar();
        return t.le(operand);
    }

    /// <summary>t with c where <paramref name="mask"/> is true.</summary>
    internal static Tensor Filled(this Tensor t, Tensor mask, double c)
    {
        using var operand = c.ToScalar();
        return t.masked_fill(mask, operand);
    }

    /// <summary>max(t, c).</summary>
    internal static Tensor AtLeastClamped(this Tensor t, double c)
    {
        using var operand = c.ToScalar();
        return t.clamp_min(operand);
    }

    /// <summary>min(t, c).</summary>
    internal static Tensor AtMostClamped(this Tensor t, double c)
    {
        using var operand = c.ToScalar();
        return t.clamp_max(operand);
    }

    /// <summary>t clamped to [low, high].</summary>
    internal static Tensor Clamped(this Tensor t, double low, double high)
    {
        using var lowOperand = low.ToScalar();
        using var highOperand = high.ToScalar();
        return t.clamp(lowOperand, highOperand);
    }

    /// <summary>t clamped to [low, high] (integer bounds, for class indices).</summary>
    internal static Tensor Clamped(this Tensor t, long low, long high)
    {
        using var lowOperand = low.ToScalar();
        using var highOperand = high.ToScalar();
        return t.clamp(lowOperand, highOperand);
    }

    /// <summary>A tensor shaped like <paramref name="t"/> filled with c.</summary>
    internal static Tensor FullLike(Tensor t, double c)
    {
        using var operand = c.ToScalar();
        return full_like(t, operand);
    }
}
