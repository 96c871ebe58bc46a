namespace PrivilegedAttribution;

/// <summary>Argument validation shared by the public entry points. Every failure names the argument and says what
/// was expected and what was given, so that bad input never turns into a NaN, a silent broadcast or a native
/// crash.</summary>
internal static class TensorChecks
{
    internal static string Shape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";

    internal static void NotNull(Tensor? t, string name)
    {
        if (t is null)
        {
            throw new ArgumentNullException(name);
        }

        if (t.IsInvalid)
        {
            throw new ArgumentException($"{name} is a disposed tensor.", name);
        }
    }

    internal static void Floating(Tensor t, string name)
    {
        if (!t.is_floating_point())
        {
            throw new ArgumentException(
                $"{name} must have a floating-point dtype (float32, float64, bfloat16, float16); got {t.dtype}.", name);
        }
    }

    internal static void Rank(Tensor t, string name, int rank, string layout)
    {
        if (t.dim() != rank)
        {
            throw new ArgumentException(
                $"{name} must have shape {layout} (rank {rank}); got shape {Shape(t)} (rank {t.dim()}).", name);
        }
    }

    internal static void NonEmptyBatch(Tensor t, string name)
    {
        if (t.shape[0] == 0)
        {
            throw new ArgumentException($"{name} has an empty batch (shape {Shape(t)}); at least one sample is needed.",
                name);
        }
    }

    /// <summary>(B,K) floating-point logits with at least one sample: what every attribution starts from.</summary>
    internal static void Logits(Tensor? logits, string name)
    {
        NotNull(logits, name);
        Floating(logits!, name);
        Rank(logits!, name, 2, "(B,K)");
        NonEmptyBatch(logits!, name);
    }

    /// <summary>A (B,C,h,w) floating-point activation with the batch of <paramref name="logits"/> (already checked
    /// by <see cref="Logits"/>), on their device.</summary>
    internal static void ActivationOf(Tensor? activation, string name, Tensor logits, string logitsName)
    {
        NotNull(activation, name);
        Floating(activation!, name);
        Rank(activation!, name, 4, "(B,C,h,w)");
        Batch(activation!, name, logits.shape[0], logitsName);
        SameDevice(activation!, name, logits, logitsName);
    }

    internal static void NonEmpty(Tensor t, string name)
    {
        if (t.numel() == 0)
        {
            throw new ArgumentException($"{name} is empty (shape {Shape(t)}).", name);
        }
    }

    internal static void Batch(Tensor t, string name, long batch, string reference)
    {
        if (t.shape[0] != batch)
        {
            throw new ArgumentException(
                $"{name} must have batch size {batch} like {reference}; got shape {Shape(t)}.", name);
        }
    }

    internal static void SameDevice(Tensor t, string name, Tensor reference, string referenceName)
    {
        if (t.device_type != reference.device_type || t.device_index != reference.device_index)
        {
            throw new ArgumentException(
                $"{name} must be on the device of {referenceName} ({reference.device}); got {t.device}.", name);
        }
    }

    internal static void SameDtype(Tensor t, string name, Tensor reference, string referenceName)
    {
        if (t.dtype != reference.dtype)
        {
            throw new ArgumentException(
                $"{name} must have the dtype of {referenceName} ({reference.dtype}); got {t.dtype}.", name);
        }
    }

    internal static void Dtype(Tensor t, string name, ScalarType expected)
    {
        if (t.dtype != expected)
        {
            throw new ArgumentException($"{name} must have dtype {expected}; got {t.dtype}.", name);
        }
    }

    /// <summary>Checks 0 ≤ index &lt; count. Reading the values forces a host synchronisation, so the check runs
    /// only where it is free (tensors in host memory); on an accelerator an out-of-range index is reported by the
    /// device, as in PyTorch.</summary>
    internal static void IndexRange(Tensor index, string name, long count)
    {
        if (index.device_type != DeviceType.CPU || index.numel() == 0)
        {
            return;
        }

        using var scope = NewDisposeScope();
        // One pass over the data for both ends.
        var (min, max) = index.aminmax();
        var low = min.item<long>();
        var high = max.item<long>();
        if (low < 0 || high >= count)
        {
            throw new ArgumentOutOfRangeException(name,
                $"{name} must hold class indices in [0, {count}); got values in [{low}, {high}].");
        }
    }

    internal static void Positive(long value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be > 0; got {value}.");
        }
    }

    internal static void PositiveFinite(double value, string name)
    {
        if (!(value > 0.0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and > 0.");
        }
    }

    internal static void NonNegativeFinite(double value, string name)
    {
        if (!(value >= 0.0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and ≥ 0.");
        }
    }

    /// <summary>Fails when <paramref name="t"/> holds NaN or ±Inf, naming the first sample (index along dimension
    /// 0) that does. It reads the data, so it runs only where that is free: tensors in host memory (on an accelerator
    /// it would force a synchronisation; <see cref="PalObjective.GuardNonFinite"/> is the opt-in check there).
    /// </summary>
    /// <param name="t">The tensor, (B,…).</param>
    /// <param name="description">What it is, for the message (e.g. "attribution of layer 'layer3'").</param>
    /// <param name="argumentName">The argument reported.</param>
    /// <param name="hint">What usually causes it and what to do, appended to the message.</param>
    internal static void FiniteValues(Tensor t, string description, string argumentName, string? hint)
    {
        if (t.device_type != DeviceType.CPU || t.numel() == 0)
        {
            return;
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        if (isfinite(t).all().item<bool>())
        {
            return;
        }

        var badSamples = isfinite(t).logical_not().reshape(t.shape[0], -1).any(1).nonzero();
        var first = badSamples[0, 0].item<long>();
        throw new ArgumentException(
            $"{description} holds a non-finite value (NaN or ±Inf) in sample {first} ({badSamples.shape[0]} of " +
            $"{t.shape[0]} samples affected)." + (hint is null ? "" : " " + hint), argumentName);
    }

    /// <summary>The dtype reductions run in: float32 for 16-bit inputs, the input's own dtype otherwise.</summary>
    internal static ScalarType ComputeType(ScalarType dtype) =>
        dtype is ScalarType.BFloat16 or ScalarType.Float16 ? ScalarType.Float32 : dtype;
}
