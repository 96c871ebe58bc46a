namespace PrivilegedAttribution;

public static partial class PalFunctional
{
    /// <summary>
    /// The attribution of a layer whose output reaches the logits only through global average pooling and one
    /// linear layer (<c>logits = mean over space of A · Wᵀ + b</c>), in closed form: the score's gradient is the
    /// class's weight row spread evenly over the map, G[b,c,i,j] = (∂S/∂logits_b · W)[c] / (h·w). No backward pass
    /// runs, so a loss on the result needs no double backward; G still carries the graph of <paramref name="weight"/>
    /// (and of the logits, for <see cref="AttributionTarget.SumOfLogProbabilities"/>), so PAL trains the linear
    /// layer through G exactly as with <see cref="attribution_map"/>, to which the result is equal.
    /// </summary>
    /// <param name="logits">(B,K) logits; read only by <see cref="AttributionTarget.PredictedClass"/> and
    /// <see cref="AttributionTarget.SumOfLogProbabilities"/>.</param>
    /// <param name="activation">(B,C,h,w) activation that is pooled and fed to the linear layer.</param>
    /// <param name="weight">(K,C) weight of the linear layer.</param>
    /// <param name="target">(B) int64 classes, required for <see cref="AttributionTarget.TrueClass"/>.</param>
    /// <param name="method">How gradient and activation combine.</param>
    /// <param name="targetKind">Which score is differentiated.</param>
    /// <param name="secondOrder">Whether G keeps the graph of the weight (default, as PAL trains) or is detached (first
    /// order, as <see cref="attribution_map"/> with <c>secondOrder: false</c>).</param>
    /// <returns>(B,C,h,w) attribution in the activation's dtype, with its graph; (B,1,h,w) for
    /// <see cref="AttributionMethod.GradCam"/>, which here is CAM (Zhou et al. 2016) up to the factor 1/(h·w).
    /// </returns>
    /// <remarks>Nothing checks here that the model really computes its logits this way (see
    /// <see cref="GlobalPoolLinearHead"/>, which <see cref="PalObjective"/> verifies once).</remarks>
    public static Tensor attribution_map_global_pool_linear(
        Tensor logits,
        Tensor activation,
        Tensor weight,
        Tensor? target = null,
        AttributionMethod method = AttributionMethod.GradientXActivation,
        AttributionTarget targetKind = AttributionTarget.TrueClass,
        bool secondOrder = true)
    {
        CheckMethod(method, secondOrder, nameof(secondOrder));
        Logits(logits, nameof(logits));
        ActivationOf(activation, nameof(activation), logits, nameof(logits));
        NotNull(weight, nameof(weight));
        Floating(weight, nameof(weight));
        SameDevice(weight, nameof(weight), logits, nameof(logits));
        var (classes, channels) = (logits.shape[1], activation.shape[1]);
        if (weight.dim() != 2 || weight.shape[0] != classes || weight.shape[1] != channels)
        {
            throw new ArgumentException(
                $"{nameof(weight)} must have shape [{classes}, {channels}] (classes of {nameof(logits)} " +
                $"{Shape(logits)}, channels of {nameof(activation)} {Shape(activation)}); got {Shape(weight)}.",
                nameof(weight));
        }

        if (targetKind == AttributionTarget.TrueClass && method != AttributionMethod.Activation)
        {
            CheckTarget(target, logits);
            IndexRange(target!, nameof(target), classes);
        }

        return GlobalPoolLinearAttributionOfChecked(logits, activation, weight, target, method, targetKind,
            secondOrder);
    }

    /// <summary><see cref="attribution_map_global_pool_linear"/> on arguments already checked: no check and no host
    /// read.</summary>
    internal static Tensor GlobalPoolLinearAttributionOfChecked(
        Tensor logits,
        Tensor activation,
        Tensor weight,
        Tensor? target,
        AttributionMethod method,
        AttributionTarget targetKind,
        bool secondOrder = true)
    {
        var (classes, channels) = (logits.shape[1], activation.shape[1]);
        using var scope = NewDisposeScope();
        if (method == AttributionMethod.Activation)
        {
            return activation.alias().MoveToOuterDisposeScope();
        }

        // ∂S/∂logits_b · W: the row of each sample's class, or the combination of rows its score weighs.
        var rows = targetKind switch
        {
            AttributionTarget.TrueClass => weight.index_select(0, target!),
            // argmax has no gradient: the autograd path differentiates the chosen logit only.
            AttributionTarget.PredictedClass => weight.index_select(0, logits.argmax(1)),
            AttributionTarget.SumOfLogits => weight.sum(0, keepdim: true).expand(logits.shape[0], channels),
            // ∂/∂z_j Σ_k log_softmax(z)_k = 1 − K·softmax(z)_j, which depends on the logits (and keeps their graph).
            AttributionTarget.SumOfLogProbabilities =>
                nn.functional.softmax(logits, 1).Times(-(double)classes).Plus(1.0).to(weight.dtype).matmul(weight),
            _ => throw new ArgumentOutOfRangeException(nameof(targetKind), targetKind, null),
        };
        // Average pooling's backward spreads each pooled gradient evenly over the h·w positions.
        var area = activation.shape[2] * activation.shape[3];
        var g = rows.DividedBy(area).to(activation.dtype).unsqueeze(-1).unsqueeze(-1);
        return Combine(secondOrder ? g : g.detach(), activation, method).MoveToOuterDisposeScope();
    }
}
