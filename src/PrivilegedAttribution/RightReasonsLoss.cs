namespace PrivilegedAttribution;

/// <summary>
/// The "Right for the Right Reasons" penalty (Ross et al., IJCAI 2017) as a loss module: per sample
/// Σ (irrelevant ⊙ attribution)², the squared attribution where an annotation says the model must not look.
/// Delegates to <see cref="PalFunctional.right_reasons_loss"/>, which documents the shapes.
/// </summary>
/// <example><code>
/// var rrr = new RightReasonsLoss();
/// var input = images.detach().requires_grad_();
/// var logits = model.call(input);
/// var gradient = PalFunctional.attribution_map(logits, input, null, AttributionMethod.Gradient,
///     AttributionTarget.SumOfLogProbabilities);
/// var loss = nn.functional.cross_entropy(logits, labels) + 1000 * rrr.call(gradient, irrelevantMask);
/// </code></example>
public sealed class RightReasonsLoss : Loss<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">Over the batch.</param>
    public RightReasonsLoss(nn.Reduction reduction = nn.Reduction.Mean)
        : base(reduction)
    {
    }

    /// <summary>The penalty for an attribution (B,…) and an annotation of the regions that must not matter.</summary>
    public override Tensor forward(Tensor attribution, Tensor irrelevant) =>
        PalFunctional.right_reasons_loss(attribution, irrelevant, reduction);
}
