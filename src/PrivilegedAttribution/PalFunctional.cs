namespace PrivilegedAttribution;

/// <summary>
/// Functional forms of the Privileged Attribution Loss, mirroring <c>torch.nn.functional</c>. The modules
/// <see cref="PalLoss"/>, <see cref="AttributionMap"/> and <see cref="HeatmapPrior"/> delegate to these.
/// Every operation runs on the device and dtype of its inputs; 16-bit inputs are reduced in float32.
/// </summary>
public static partial class PalFunctional
{
    /// <summary>
    /// The Privileged Attribution Loss between attribution maps and a prior heatmap.
    /// </summary>
    /// <param name="attribution">(B,C,h,w) attribution, e.g. from <see cref="attribution_map"/>.</param>
    /// <param name="heatmap">(B,1,h,w) prior heatmap of the same dtype and device, e.g. from
    /// <see cref="landmark_heatmap"/>.</param>
    /// <param name="strategy">Which channels form the maps; <see cref="ChannelStrategy.Mean"/> when null.</param>
    /// <param name="normalization"><see cref="PalNormalization.Pearson"/> (each term in [−1, 1]), the paper's
    /// <see cref="PalNormalization.CrossCorrelation"/>, or <see cref="PalNormalization.Cosine"/> (raw maps, each term
    /// in [−1, 1]).</param>
    /// <param name="reduction">Over the batch: mean (default), sum, or none (a (B) tensor).</param>
    /// <param name="eps">A map whose spatial variance is ≤ eps times its mean square counts as constant and
    /// contributes 0 with a zero gradient. The rule is relative (each map is first divided by its largest magnitude),
    /// so PAL(c·a) = PAL(a) for every c &gt; 0 down to the dtype's limits; eps is a threshold, never added.</param>
    /// <returns>A scalar, or (B) for <see cref="nn.Reduction.None"/>, in the attribution's dtype.</returns>
    /// <exception cref="ArgumentException">A shape, dtype or device does not match; the maps are 1×1 (a spatial
    /// correlation needs two positions); or, for tensors in host memory, the attribution or the heatmap holds NaN or
    /// ±Inf (the message names the sample).</exception>
    /// <example><code>
    /// var loss = PalFunctional.pal_loss(attribution, heatmap, ChannelStrategy.FirstFraction(0.5));
    /// </code></example>
    public static Tensor pal_loss(
        Tensor attribution,
        Tensor heatmap,
        ChannelStrategy? strategy = null,
        PalNormalization normalization = PalNormalization.Pearson,
        nn.Reduction reduction = nn.Reduction.Mean,
        double eps = 1e-12)
    {
        CheckPalLossShapes(attribution, heatmap, nameof(attribution));
        NonNegativeFinite(eps, nameof(eps));
        FiniteValues(attribution, nameof(attribution), nameof(attribution), NonFiniteAttributionHint);
        FiniteValues(heatmap, nameof(heatmap), nameof(heatmap), null);
        return PalLossOfChecked(attribution, heatmap, strategy, normalization, reduction, eps);
    }

    /// <summary>The shape, dtype and device rules of <see cref="pal_loss"/>, with no host read;
    /// <paramref name="attributionName"/> describes the attribution in messages (<see cref="PalObjective"/> names the
    /// layer).</summary>
    internal static void CheckPalLossShapes(Tensor attribution, Tensor heatmap, string attributionName)
    {
        NotNull(attribution, nameof(attribution));
        NotNull(heatmap, nameof(heatmap));
        Floating(attribution, nameof(attribution));
        Rank(attribution, nameof(attribution), 4, "(B,C,h,w)");
        NonEmpty(attribution, nameof(attribution));
        Floating(heatmap, nameof(heatmap));
        Rank(heatmap, nameof(heatmap), 4, "(B,1,h,w)");
        SameDevice(heatmap, nameof(heatmap), attribution, nameof(attribution));
        SameDtype(heatmap, nameof(heatmap), attribution, nameof(attribution));
        var (b, _, h, w) = (attribution.shape[0], attribution.shape[1], attribution.shape[2], attribution.shape[3]);
        if (heatmap.shape[0] != b || heatmap.shape[1] != 1 || heatmap.shape[2] != h || heatmap.shape[3] != w)
        {
            throw new ArgumentException(
                $"{nameof(heatmap)} must have shape [{b}, 1, {h}, {w}] to match {nameof(attribution)} " +
                $"{Shape(attribution)}; got {Shape(heatmap)}.", nameof(heatmap));
        }

        SpatialExtent(attribution, attributionName);
    }

    /// <summary>A spatial correlation needs two positions: 1×1 maps would give PAL = 0 with no gradient.</summary>
    internal static void SpatialExtent(Tensor attribution, string attributionName)
    {
        if (attribution.shape[2] * attribution.shape[3] < 2)
        {
            throw new ArgumentException(
                $"{attributionName} has 1×1 maps (shape {Shape(attribution)}): a spatial correlation needs at least " +
                "two positions, so PAL would be 0 with no gradient. Tap a layer with a spatial extent.",
                nameof(attribution));
        }
    }

    /// <summary>The loss of <see cref="pal_loss"/> on arguments already checked (shapes by
    /// <see cref="CheckPalLossShapes"/>, values by the caller): no check and no host read.</summary>
    internal static Tensor PalLossOfChecked(
        Tensor attribution,
        Tensor heatmap,
        ChannelStrategy? strategy,
        PalNormalization normalization,
        nn.Reduction reduction,
        double eps)
    {
        strategy ??= ChannelStrategy.Mean;
        using var scope = NewDisposeScope();
        var computeType = ComputeType(attribution.dtype);
        var maps = ChannelMaps(attribution.to(computeType), strategy);
        if (normalization == PalNormalization.Cosine)
        {
            // The raw maps, not standardised: per sample the mean of the maps' negative cosines.
            return Reduce(NegativeCosine(maps, heatmap.to(computeType)).mean([1, 2, 3]), reduction)
                .to(attribution.dtype).MoveToOuterDisposeScope();
        }

        var z = Standardize(maps, eps);
        var target = heatmap.to(computeType);
        var perSample = normalization switch
        {
            // −(1/N) Σ z·ĥ per map: a negative Pearson correlation; then the mean over maps.
            PalNormalization.Pearson => (z * Standardize(target, eps)).mean([1, 2, 3]).neg(),
            // −Σ z·h per map with the heatmap as given; then the sum over maps. A constant heatmap gives exactly 0
            // (Σ z·c = c·Σ z vanishes in exact arithmetic, not in floating point).
            PalNormalization.CrossCorrelation => (z * target.Filled(IsConstant(target, eps), 0.0))
                .sum([1, 2, 3]).neg(),
            _ => throw new ArgumentOutOfRangeException(nameof(normalization), normalization, null),
        };
        return Reduce(perSample, reduction).to(attribution.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>(B,C,h,w) → (B,M,h,w), the maps the strategy constrains.</summary>
    private static Tensor ChannelMaps(Tensor attribution, ChannelStrategy strategy) => strategy.Kind switch
    {
        ChannelStrategyKind.Mean => attribution.mean([1], keepdim: true),
        ChannelStrategyKind.AllChannels => attribution,
        ChannelStrategyKind.FirstFraction => attribution
            .narrow(1, 0, strategy.ChannelsUsed(attribution.shape[1]))
            .mean([1], keepdim: true),
        _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, null),
    };

    /// <summary>z = (a − μ)/σ over the two spatial dimensions with the population variance; a map whose variance is
    /// ≤ eps times its mean square gives z = 0 and a zero gradient (<see cref="IsConstant"/>). The variance is
    /// replaced before the square root, not after, so the branch that is masked away never computes 1/0 and no NaN
    /// reaches the gradient.</summary>
    private static Tensor Standardize(Tensor maps, double eps)
    {
        var (centred, variance, constant) = CentredOnPeakScale(maps, eps);
        var safeVariance = where(constant, ones_like(variance), variance);
        return (centred * safeVariance.rsqrt()).Filled(constant, 0.0);
    }

    /// <summary>(B,M,1,1) true where a map counts as constant (see <see cref="Standardize"/>).</summary>
    private static Tensor IsConstant(Tensor maps, double eps) => CentredOnPeakScale(maps, eps).Constant;

    /// <summary>
    /// Each map divided by its largest magnitude, then centred; its variance; and whether it counts as constant:
    /// variance ≤ eps · mean square, both of the divided map. z is invariant to a map's scale, so dividing first
    /// changes nothing but the range the arithmetic runs in: squares neither underflow at 1e-30 nor overflow at 1e30,
    /// and the constant rule means the same at every scale (an absolute threshold switched PAL off at scale 1e-7).
    /// The divisor is detached: z(a/m) = z(a) for every m &gt; 0, so its gradient through m is exactly zero.
    /// </summary>
    private static (Tensor Centred, Tensor Variance, Tensor Constant) CentredOnPeakScale(Tensor maps, double eps)
    {
        var peak = maps.detach().abs().amax([2, 3], keepdim: true);
        var scaled = maps / where(peak.Above(0.0), peak, ones_like(peak));
        var centred = scaled - scaled.mean([2, 3], keepdim: true);
        var variance = centred.Squared().mean([2, 3], keepdim: true);
        var constant = variance <= scaled.Squared().mean([2, 3], keepdim: true).Times(eps);
        return (centred, variance, constant);
    }

    /// <summary>What a non-finite attribution usually means, for the error message.</summary>
    internal const string NonFiniteAttributionHint =
        "The model's weights or inputs may already be non-finite (a learning rate too high; check the previous " +
        "step's loss), or, on a CPU, LibTorch's oneDNN convolution backward returned NaN (a known LibTorch 2.10 bug " +
        "on AVX-512 CPUs): call CpuBackend.SetMkldnnEnabled(false) at start-up.";
}
