namespace PrivilegedAttribution;

public static partial class PalFunctional
{
    /// <summary>
    /// The "Right for the Right Reasons" penalty (Ross, Hughes and Doshi-Velez, IJCAI 2017): the squared attribution
    /// inside the regions that must not matter, per sample Σ (A ⊙ attribution)². The peer of
    /// <see cref="pal_loss"/>: PAL pulls attribution towards where the privileged information says the evidence is,
    /// this pushes it out of where the annotation says it is not.
    /// </summary>
    /// <param name="attribution">(B,…) attribution with its graph; Ross et al. use the input gradient of the summed
    /// log-probabilities: <c>attribution_map(logits, input, null, AttributionMethod.Gradient,
    /// AttributionTarget.SumOfLogProbabilities)</c> with <c>input.requires_grad_()</c>.</param>
    /// <param name="irrelevant">The annotation A: 1 (or true) where the model must not look, 0 where it may. Same rank
    /// as <paramref name="attribution"/>, the same batch, and each other dimension equal to the attribution's or 1
    /// (so a (B,1,H,W) mask covers every channel); bool, or the attribution's floating dtype for soft weights.</param>
    /// <param name="reduction">Over the batch: mean (default), sum, or none (a (B) tensor).</param>
    /// <returns>A scalar, or (B) for <see cref="nn.Reduction.None"/>, in the attribution's dtype.</returns>
    /// <remarks>Ross et al. add λ·Σ_n Σ_d (A ⊙ ∂/∂x Σ_k log p_k)² to a cross-entropy summed over the batch; with both
    /// terms averaged over the batch instead (the mean reduction here and TorchSharp's default cross-entropy), their
    /// λ carries over unchanged. Being a sum over positions, the penalty's scale grows with the mask's area and the
    /// input's size, unlike PAL's correlation.</remarks>
    /// <example><code>
    /// var input = images.detach().requires_grad_();
    /// var logits = model.call(input);
    /// var gradient = PalFunctional.attribution_map(logits, input, null, AttributionMethod.Gradient,
    ///     AttributionTarget.SumOfLogProbabilities);
    /// var penalty = PalFunctional.right_reasons_loss(gradient, irrelevantMask);
    /// var loss = nn.functional.cross_entropy(logits, labels) + 1000 * penalty;
    /// </code></example>
    public static Tensor right_reasons_loss(
        Tensor attribution,
        Tensor irrelevant,
        nn.Reduction reduction = nn.Reduction.Mean)
    {
        NotNull(attribution, nameof(attribution));
        NotNull(irrelevant, nameof(irrelevant));
        Floating(attribution, nameof(attribution));
        if (attribution.dim() < 2)
        {
            throw new ArgumentException(
                $"{nameof(attribution)} must have shape (B,…) with at least one dimension after the batch; got " +
                $"{Shape(attribution)}.", nameof(attribution));
        }

        NonEmptyBatch(attribution, nameof(attribution));
        SameDevice(irrelevant, nameof(irrelevant), attribution, nameof(attribution));
        if (irrelevant.dtype != ScalarType.Bool)
        {
            SameDtype(irrelevant, nameof(irrelevant), attribution, nameof(attribution));
        }

        var broadcastable = irrelevant.dim() == attribution.dim() && irrelevant.shape[0] == attribution.shape[0] &&
                            Enumerable.Range(1, (int)attribution.dim() - 1)
                                .All(d => irrelevant.shape[d] == attribution.shape[d] || irrelevant.shape[d] == 1);
        if (!broadcastable)
        {
            throw new ArgumentException(
                $"{nameof(irrelevant)} must have the rank and batch of {nameof(attribution)} {Shape(attribution)}, " +
                $"each other dimension equal to it or 1; got {Shape(irrelevant)}.", nameof(irrelevant));
        }

        using var scope = NewDisposeScope();
        var computeType = ComputeType(attribution.dtype);
        var masked = attribution.to(computeType) * irrelevant.to(computeType);
        var perSample = masked.Squared().flatten(1).sum(1);
        return Reduce(perSample, reduction).to(attribution.dtype).MoveToOuterDisposeScope();
    }
}
