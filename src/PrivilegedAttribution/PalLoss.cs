namespace PrivilegedAttribution;

/// <summary>
/// The Privileged Attribution Loss (Bonnard et al., ICPR 2022): the negative correlation between attribution maps
/// (B,C,h,w) and a prior heatmap (B,1,h,w). Delegates to <see cref="PalFunctional.pal_loss"/>.
/// </summary>
/// <example><code>
/// var pal = new PalLoss(ChannelStrategy.Mean);
/// var loss = ce + 0.1 * pal.call(attribution, heatmap);
/// </code></example>
public sealed class PalLoss : Loss<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the loss.</summary>
    /// <param name="strategy">Channel strategy; <see cref="ChannelStrategy.Mean"/> when null.</param>
    /// <param name="normalization">Pearson (default), the paper's cross-correlation, or cosine.</param>
    /// <param name="reduction">Over the batch.</param>
    /// <param name="eps">Relative threshold: a map whose spatial variance is ≤ eps times its mean square counts as
    /// constant (see <see cref="PalFunctional.pal_loss"/>; PAL is scale-free).</param>
    public PalLoss(
        ChannelStrategy? strategy = null,
        PalNormalization normalization = PalNormalization.Pearson,
        nn.Reduction reduction = nn.Reduction.Mean,
        double eps = 1e-12)
        : base(reduction)
    {
        NonNegativeFinite(eps, nameof(eps));

        Strategy = strategy ?? ChannelStrategy.Mean;
        Normalization = normalization;
        Eps = eps;
    }

    /// <summary>The channel strategy.</summary>
    public ChannelStrategy Strategy { get; }

    /// <summary>The normalisation.</summary>
    public PalNormalization Normalization { get; }

    /// <summary>The variance threshold.</summary>
    public double Eps { get; }

    /// <summary>The loss for (B,C,h,w) attribution and (B,1,h,w) heatmap.</summary>
    public override Tensor forward(Tensor attribution, Tensor heatmap) =>
        PalFunctional.pal_loss(attribution, heatmap, Strategy, Normalization, reduction, Eps);
}
