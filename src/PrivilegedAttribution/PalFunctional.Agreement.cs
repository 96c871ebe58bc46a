namespace PrivilegedAttribution;

public static partial class PalFunctional
{
    /// <summary>
    /// Where a model looks, scored against a prior: per sample, the Pearson correlation between the attribution's
    /// maps (after the channel strategy) and the prior heatmap, in [−1, 1] — the negative of PAL's Pearson term,
    /// so it is scale-free and a constant map scores 0. For evaluation: the result carries no graph.
    /// </summary>
    /// <param name="attribution">(B,C,h,w) attribution, e.g. from <see cref="attribution_map"/>.</param>
    /// <param name="prior">(B,1,h,w) heatmap of the same dtype and device.</param>
    /// <param name="strategy">Which channels form the maps; <see cref="ChannelStrategy.Mean"/> when null.</param>
    /// <returns>(B) correlations in the attribution's dtype (the mean over maps for
    /// <see cref="ChannelStrategy.AllChannels"/>).</returns>
    /// <example><code>
    /// var agreement = PalFunctional.attribution_correlation(attribution.abs(), inkHeatmap).mean();
    /// </code></example>
    public static Tensor attribution_correlation(Tensor attribution, Tensor prior, ChannelStrategy? strategy = null)
    {
        NotNull(attribution, nameof(attribution));
        NotNull(prior, nameof(prior));
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return pal_loss(attribution.detach(), prior.detach(), strategy, PalNormalization.Pearson, nn.Reduction.None)
            .neg().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The share of the attribution's magnitude that falls inside a region, per sample: Σ m·|a| / Σ |a| over the
    /// positions, |a| summed over the channels. 1 means the model looks only inside the region (e.g. a decoy patch:
    /// the model uses the shortcut; the object's ink: it looks at the object). For evaluation: no graph.
    /// </summary>
    /// <param name="attribution">(B,C,h,w) attribution (its sign is ignored).</param>
    /// <param name="mask">(B,1,h,w) region: bool, or weights in [0, 1] (a soft region), on the attribution's device.
    /// </param>
    /// <returns>(B) shares in [0, 1], in float32 for 16-bit attributions and the attribution's dtype otherwise; a
    /// sample whose attribution is zero everywhere scores 0.</returns>
    public static Tensor attribution_mass_in_mask(Tensor attribution, Tensor mask)
    {
        var (magnitude, weights) = MagnitudeAndRegion(attribution, mask);
        using var scope = NewDisposeScope();
        var total = magnitude.sum([1, 2, 3]);
        var inside = (magnitude * weights).sum([1, 2, 3]);
        return where(total > 0, inside / where(total > 0, total, ones_like(total)), zeros_like(total))
            .MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The pointing game (Zhang et al., ECCV 2016), per sample: whether the position of the largest |attribution|
    /// (summed over the channels) lies inside the region. Ties go to the first position in row-major order.
    /// </summary>
    /// <param name="attribution">(B,C,h,w) attribution (its sign is ignored).</param>
    /// <param name="mask">(B,1,h,w) region: bool, or weights in [0, 1] where ≥ ½ counts as inside.</param>
    /// <returns>(B) bool hits; the hit rate is <c>hits.to(float32).mean()</c>.</returns>
    public static Tensor pointing_game(Tensor attribution, Tensor mask)
    {
        var (magnitude, weights) = MagnitudeAndRegion(attribution, mask);
        using var scope = NewDisposeScope();
        var batch = magnitude.shape[0];
        var peak = magnitude.reshape(batch, -1).argmax(1, keepdim: true);
        return (weights.reshape(batch, -1).gather(1, peak).squeeze(1) >= 0.5).MoveToOuterDisposeScope();
    }

    /// <summary>Checks an attribution and a region of the same size; returns Σ_c |a| (B,1,h,w) and the region as
    /// weights, both in the compute dtype and without graph.</summary>
    private static (Tensor Magnitude, Tensor Weights) MagnitudeAndRegion(Tensor attribution, Tensor mask)
    {
        NotNull(attribution, nameof(attribution));
        NotNull(mask, nameof(mask));
        Floating(attribution, nameof(attribution));
        Rank(attribution, nameof(attribution), 4, "(B,C,h,w)");
        NonEmpty(attribution, nameof(attribution));
        Rank(mask, nameof(mask), 4, "(B,1,h,w)");
        SameDevice(mask, nameof(mask), attribution, nameof(attribution));
        var (b, h, w) = (attribution.shape[0], attribution.shape[2], attribution.shape[3]);
        if (mask.shape[0] != b || mask.shape[1] != 1 || mask.shape[2] != h || mask.shape[3] != w)
        {
            throw new ArgumentException(
                $"{nameof(mask)} must have shape [{b}, 1, {h}, {w}] to match {nameof(attribution)} " +
                $"{Shape(attribution)}; got {Shape(mask)}.", nameof(mask));
        }

        if (mask.dtype != ScalarType.Bool && !mask.is_floating_point())
        {
            throw new ArgumentException(
                $"{nameof(mask)} must be bool or floating point (weights in [0, 1]); got {mask.dtype}.", nameof(mask));
        }

        FiniteValues(attribution, nameof(attribution), nameof(attribution), null);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var computeType = ComputeType(attribution.dtype);
        var magnitude = attribution.detach().to(computeType).abs().sum(1, keepdim: true);
        var weights = mask.detach().to(computeType);
        if (mask.device_type == DeviceType.CPU && mask.dtype != ScalarType.Bool &&
            !((weights >= 0) & (weights <= 1)).all().item<bool>())
        {
            throw new ArgumentException($"{nameof(mask)} must hold weights in [0, 1].", nameof(mask));
        }

        return (magnitude.MoveToOuterDisposeScope(), weights.MoveToOuterDisposeScope());
    }
}
