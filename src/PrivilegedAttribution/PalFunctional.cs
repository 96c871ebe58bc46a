using TorchSharp;
using static TorchSharp.torch;
using static PrivilegedAttribution.TensorChecks;

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
    /// <param name="normalization"><see cref="PalNormalization.Pearson"/> (each term in [−1, 1]) or the paper's
    /// <see cref="PalNormalization.CrossCorrelation"/>.</param>
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
        double eps = 1e-12) =>
        PalLoss(attribution, heatmap, strategy, normalization, reduction, eps, nameof(attribution));

    /// <summary><see cref="pal_loss"/> with the attribution described as <paramref name="attributionName"/> in
    /// error messages (<see cref="PalObjective"/> names the layer).</summary>
    internal static Tensor PalLoss(
        Tensor attribution,
        Tensor heatmap,
        ChannelStrategy? strategy,
        PalNormalization normalization,
        nn.Reduction reduction,
        double eps,
        string attributionName)
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

        if (h * w < 2)
        {
            throw new ArgumentException(
                $"{attributionName} has 1×1 maps (shape {Shape(attribution)}): a spatial correlation needs at least " +
                "two positions, so PAL would be 0 with no gradient. Tap a layer with a spatial extent.",
                nameof(attribution));
        }

        if (!(eps >= 0.0) || double.IsInfinity(eps))
        {
            throw new ArgumentOutOfRangeException(nameof(eps), eps, $"{nameof(eps)} must be finite and ≥ 0.");
        }

        FiniteValues(attribution, attributionName, nameof(attribution), NonFiniteAttributionHint);
        FiniteValues(heatmap, nameof(heatmap), nameof(heatmap), null);
        strategy ??= ChannelStrategy.Mean;
        using var scope = NewDisposeScope();
        var computeType = ComputeType(attribution.dtype);
        var maps = ChannelMaps(attribution.to(computeType), strategy);
        var z = Standardize(maps, eps);
        var target = heatmap.to(computeType);
        var perSample = normalization switch
        {
            // −(1/N) Σ z·ĥ per map: a negative Pearson correlation; then the mean over maps.
            PalNormalization.Pearson => (z * Standardize(target, eps)).mean([1, 2, 3]).neg(),
            // −Σ z·h per map with the heatmap as given; then the sum over maps. A constant heatmap gives exactly 0
            // (Σ z·c = c·Σ z vanishes in exact arithmetic, not in floating point).
            PalNormalization.CrossCorrelation => (z * target.masked_fill(IsConstant(target, eps), 0.0))
                .sum([1, 2, 3]).neg(),
            _ => throw new ArgumentOutOfRangeException(nameof(normalization), normalization, null),
        };
        var reduced = reduction switch
        {
            nn.Reduction.Mean => perSample.mean(),
            nn.Reduction.Sum => perSample.sum(),
            nn.Reduction.None => perSample,
            _ => throw new ArgumentOutOfRangeException(nameof(reduction), reduction, null),
        };
        return reduced.to(attribution.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The attribution of a layer's activation for the score selected by <paramref name="targetKind"/>, with the
    /// autograd graph kept so that a loss on it trains the weights through the gradient factor (second order).
    /// </summary>
    /// <param name="logits">(B,K) logits computed from <paramref name="activation"/> with gradients enabled.</param>
    /// <param name="activation">(B,C,h,w) activation of an intermediate layer (or the input image, with
    /// <c>requires_grad</c> set).</param>
    /// <param name="target">(B) int64 class indices; required for <see cref="AttributionTarget.TrueClass"/>,
    /// ignored otherwise.</param>
    /// <param name="method">How gradient and activation combine.</param>
    /// <param name="targetKind">Which score is differentiated.</param>
    /// <returns>(B,C,h,w) attribution in the activation's dtype, carrying a graph.</returns>
    /// <remarks>The score is summed over the batch, so in training mode BatchNorm's batch statistics couple the
    /// samples' gradients exactly as in the training loss; call <c>model.eval()</c> first for per-sample maps.
    /// </remarks>
    public static Tensor attribution_map(
        Tensor logits,
        Tensor activation,
        Tensor? target = null,
        AttributionMethod method = AttributionMethod.GradientXActivation,
        AttributionTarget targetKind = AttributionTarget.TrueClass)
    {
        NotNull(activation, nameof(activation));
        return attribution_maps(logits, [activation], target, method, targetKind)[0];
    }

    /// <summary>
    /// Attributions of several activations of one forward pass, from a single double-backward-ready gradient
    /// call (cheaper than one <see cref="attribution_map"/> per layer).
    /// </summary>
    /// <param name="logits">(B,K) logits.</param>
    /// <param name="activations">(B,C_l,h_l,w_l) activations, each on the logits' path.</param>
    /// <param name="target">(B) int64 class indices, required for <see cref="AttributionTarget.TrueClass"/>.</param>
    /// <param name="method">How gradient and activation combine.</param>
    /// <param name="targetKind">Which score is differentiated.</param>
    /// <param name="names">Optional names of the activations (layer names) used in error messages.</param>
    public static Tensor[] attribution_maps(
        Tensor logits,
        IReadOnlyList<Tensor> activations,
        Tensor? target = null,
        AttributionMethod method = AttributionMethod.GradientXActivation,
        AttributionTarget targetKind = AttributionTarget.TrueClass,
        IReadOnlyList<string>? names = null) =>
        AttributionMaps(logits, activations, target, method, targetKind, names, targetValuesChecked: false);

    /// <summary><see cref="attribution_maps"/> for callers that have already checked the class indices' range
    /// (<see cref="PalObjective"/> checks them once per batch, for the cross-entropy too).</summary>
    internal static Tensor[] AttributionMaps(
        Tensor logits,
        IReadOnlyList<Tensor> activations,
        Tensor? target,
        AttributionMethod method,
        AttributionTarget targetKind,
        IReadOnlyList<string>? names,
        bool targetValuesChecked)
    {
        NotNull(logits, nameof(logits));
        ArgumentNullException.ThrowIfNull(activations);
        Floating(logits, nameof(logits));
        Rank(logits, nameof(logits), 2, "(B,K)");
        NonEmptyBatch(logits, nameof(logits));
        if (activations.Count == 0)
        {
            throw new ArgumentException("At least one activation is needed.", nameof(activations));
        }

        var batch = logits.shape[0];
        for (var i = 0; i < activations.Count; i++)
        {
            var name = names is null ? $"activations[{i}]" : $"activation of layer '{names[i]}'";
            var a = activations[i];
            NotNull(a, name);
            Floating(a, name);
            Rank(a, name, 4, "(B,C,h,w)");
            Batch(a, name, batch, nameof(logits));
            SameDevice(a, name, logits, nameof(logits));
            if (!a.requires_grad)
            {
                throw new ArgumentException(
                    $"{name} carries no autograd graph: run the forward pass with gradients enabled (not under " +
                    "torch.no_grad()), and let the logits be computed from this activation.", name);
            }
        }

        if (!logits.requires_grad)
        {
            throw new ArgumentException(
                $"{nameof(logits)} carries no autograd graph: run the forward pass with gradients enabled.",
                nameof(logits));
        }

        using var scope = NewDisposeScope();
        var score = Score(logits, target, targetKind, targetValuesChecked);
        // create_graph makes G differentiable (PAL trains the weights through G); retain_graph keeps the forward
        // graph for the cross-entropy backward that follows. TorchSharp defaults retain_graph to false.
        var gradients = autograd.grad(
            [score], activations.ToList(), retain_graph: true, create_graph: true, allow_unused: true);
        var result = new Tensor[activations.Count];
        for (var i = 0; i < activations.Count; i++)
        {
            var g = gradients[i];
            if (g is null || g.IsInvalid || g.Handle == IntPtr.Zero)
            {
                var name = names is null ? $"activations[{i}]" : $"layer '{names[i]}'";
                throw new ArgumentException(
                    $"The {name} does not influence the logits: the score has no gradient with respect to it. " +
                    "Tap a layer on the path from the input to the logits.", nameof(activations));
            }

            result[i] = Combine(g, activations[i], method);
        }

        scope.MoveToOuter(result);
        return result;
    }

    /// <summary>G ⊙ A, G or |G| ⊙ A; G may be a broadcastable (B,C,1,1) tensor.</summary>
    private static Tensor Combine(Tensor g, Tensor a, AttributionMethod method) => method switch
    {
        AttributionMethod.GradientXActivation => g * a,
        AttributionMethod.Gradient => g.shape.SequenceEqual(a.shape) ? g : g.expand(a.shape),
        AttributionMethod.AbsGradientXActivation => g.abs() * a,
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, null),
    };

    /// <summary>
    /// Renders landmarks as a Gaussian heatmap directly at the requested size (no resampling of a full-size map).
    /// </summary>
    /// <param name="landmarks">(B,K,2) points as (x, y) in input-image pixels; pixel centres are integers. Points
    /// outside the image are allowed.</param>
    /// <param name="imageHeight">Height of the input image the landmarks refer to.</param>
    /// <param name="imageWidth">Width of the input image.</param>
    /// <param name="outputHeight">Height of the rendered map (e.g. the tapped layer's h).</param>
    /// <param name="outputWidth">Width of the rendered map.</param>
    /// <param name="sigma">Standard deviation of each Gaussian in input pixels.</param>
    /// <param name="visible">Optional (B,K) bool mask; invisible points are ignored (their coordinates may be
    /// NaN). A sample with no visible point gives an all-zero map.</param>
    /// <param name="combine">Sum (default) or pointwise maximum of the Gaussians.</param>
    /// <returns>(B,1,outputHeight,outputWidth) in the landmarks' dtype and device, each sample scaled to peak 1.
    /// </returns>
    /// <remarks>A landmark at (x, y) maps to x' = (x + ½)·outW/imageW − ½ (y likewise) and σ'x = σ·outW/imageW.
    /// Non-finite visible coordinates are an error; the check reads the values, so it runs only for tensors in host
    /// memory (it would force a synchronisation on an accelerator).</remarks>
    public static Tensor landmark_heatmap(
        Tensor landmarks,
        long imageHeight,
        long imageWidth,
        long outputHeight,
        long outputWidth,
        double sigma,
        Tensor? visible = null,
        HeatmapCombine combine = HeatmapCombine.Sum)
    {
        NotNull(landmarks, nameof(landmarks));
        Floating(landmarks, nameof(landmarks));
        Rank(landmarks, nameof(landmarks), 3, "(B,K,2)");
        NonEmptyBatch(landmarks, nameof(landmarks));
        if (landmarks.shape[2] != 2)
        {
            throw new ArgumentException(
                $"{nameof(landmarks)} must have shape (B,K,2) holding (x, y); got {Shape(landmarks)}.",
                nameof(landmarks));
        }

        Positive(imageHeight, nameof(imageHeight));
        Positive(imageWidth, nameof(imageWidth));
        Positive(outputHeight, nameof(outputHeight));
        Positive(outputWidth, nameof(outputWidth));
        if (!(sigma > 0.0) || double.IsInfinity(sigma))
        {
            throw new ArgumentOutOfRangeException(nameof(sigma), sigma, $"{nameof(sigma)} must be finite and > 0.");
        }

        if (visible is not null)
        {
            NotNull(visible, nameof(visible));
            Dtype(visible, nameof(visible), ScalarType.Bool);
            if (visible.dim() != 2 || visible.shape[0] != landmarks.shape[0] || visible.shape[1] != landmarks.shape[1])
            {
                throw new ArgumentException(
                    $"{nameof(visible)} must have shape [{landmarks.shape[0]}, {landmarks.shape[1]}] to match " +
                    $"{nameof(landmarks)} {Shape(landmarks)}; got {Shape(visible)}.", nameof(visible));
            }

            SameDevice(visible, nameof(visible), landmarks, nameof(landmarks));
        }

        var (batch, count) = (landmarks.shape[0], landmarks.shape[1]);
        var computeType = ComputeType(landmarks.dtype);
        var scaleX = (double)outputWidth / imageWidth;
        var scaleY = (double)outputHeight / imageHeight;
        // exp(−d²·c) with c = 1/(2σ'²): c must exist in the compute dtype, or every map turns to 0 or NaN.
        var coefficientX = RepresentableCoefficient(sigma, scaleX, outputWidth, computeType);
        var coefficientY = RepresentableCoefficient(sigma, scaleY, outputHeight, computeType);
        using var scope = NewDisposeScope();
        var points = landmarks.to(computeType);
        var shown = visible ?? ones(batch, count, ScalarType.Bool, landmarks.device);
        CheckFinite(points, shown);
        // Masked points may hold NaN: replace them before any arithmetic so that nothing leaks through the mask.
        points = where(shown.unsqueeze(-1), points, zeros_like(points));
        if (landmarks.device_type == DeviceType.CPU)
        {
            LandmarkChecks.ThrowIfViolated(points, shown, imageHeight, imageWidth, nameof(landmarks));
        }

        var x = (points.select(2, 0) + 0.5) * scaleX - 0.5;
        var y = (points.select(2, 1) + 0.5) * scaleY - 0.5;
        var columns = arange(outputWidth, computeType, landmarks.device);
        var rows = arange(outputHeight, computeType, landmarks.device);
        // The Gaussian is separable: exp(−dx²·cx − dy²·cy) = ex·ey, so each point needs only (W + H) values. Each
        // factor is taken relative to its own peak (its nearest pixel) and each point weighted relative to the
        // sample's best point, which changes the map only by a constant factor that the peak normalisation removes,
        // but keeps it from underflowing to all zeros when σ' is far below a pixel or the points lie off the grid.
        var logX = (columns - x.unsqueeze(-1)).square() * -coefficientX;
        var logY = (rows - y.unsqueeze(-1)).square() * -coefficientY;
        var peakX = logX.amax([2], keepdim: true);
        var peakY = logY.amax([2], keepdim: true);
        var logWeight = where(shown.unsqueeze(-1), peakX + peakY, full_like(peakX, double.NegativeInfinity));
        var best = logWeight.amax([1], keepdim: true);
        var weight = (logWeight - Finite(best)).exp();
        var ex = (logX - Finite(peakX)).exp() * weight;
        var ey = (logY - Finite(peakY)).exp();
        Tensor map;
        if (combine == HeatmapCombine.Sum)
        {
            // Σ_k ey[k,i]·ex[k,j] is a batched matrix product (B,H,K)×(B,K,W).
            map = ey.transpose(1, 2).bmm(ex);
        }
        else if (combine == HeatmapCombine.Max)
        {
            map = count == 0
                ? zeros(batch, outputHeight, outputWidth, computeType, landmarks.device)
                : (ey.unsqueeze(-1) * ex.unsqueeze(-2)).amax([1]);
        }
        else
        {
            throw new ArgumentOutOfRangeException(nameof(combine), combine, null);
        }

        // Peak 1 per sample; an all-zero map (no visible point) stays zero instead of 0/0.
        var peak = map.amax([1, 2], keepdim: true);
        map = map / peak.clamp_min(double.Epsilon);
        map = where(peak > 0, map, zeros_like(map));
        return map.unsqueeze(1).to(landmarks.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>−∞ (a point whose Gaussian vanishes on the whole grid, or no visible point) replaced by 0, so that
    /// subtracting it never computes −∞ − (−∞).</summary>
    private static Tensor Finite(Tensor logPeak) => where(logPeak.isfinite(), logPeak, zeros_like(logPeak));

    /// <summary>1/(2σ'²) for σ' = σ·scale output pixels; fails where the compute dtype cannot hold it.</summary>
    private static double RepresentableCoefficient(double sigma, double scale, long outputSize, ScalarType dtype)
    {
        var sigmaOut = sigma * scale;
        var coefficient = 1.0 / (2.0 * sigmaOut * sigmaOut);
        var largest = dtype == ScalarType.Float64 ? double.MaxValue : float.MaxValue;
        if (!(coefficient <= largest))
        {
            throw new ArgumentOutOfRangeException(nameof(sigma), sigma,
                $"{nameof(sigma)} = {sigma:G3} input pixels is {sigmaOut:G3} pixels on the {outputSize}-pixel output " +
                $"grid, too small for {dtype} to represent the Gaussian (1/(2σ'²) overflows). Any σ' from about " +
                $"{Math.Sqrt(0.5 / largest):G2} up renders each landmark at least at its nearest pixel.");
        }

        return coefficient;
    }

    /// <summary>One score per sample, summed: S = Σ_b s_b.</summary>
    private static Tensor Score(Tensor logits, Tensor? target, AttributionTarget targetKind, bool targetValuesChecked)
    {
        switch (targetKind)
        {
            case AttributionTarget.TrueClass:
                CheckTarget(target, logits, targetValuesChecked);
                return logits.gather(1, target!.unsqueeze(1)).sum();
            case AttributionTarget.PredictedClass:
                return logits.gather(1, logits.argmax(1, keepdim: true)).sum();
            case AttributionTarget.SumOfLogits:
                return logits.sum();
            case AttributionTarget.SumOfLogProbabilities:
                return nn.functional.log_softmax(logits, 1).sum();
            default:
                throw new ArgumentOutOfRangeException(nameof(targetKind), targetKind, null);
        }
    }

    /// <summary>Checks the (B) int64 classes that <see cref="AttributionTarget.TrueClass"/> needs; the value range
    /// only when the caller has not (it reads the data, see <see cref="IndexRange"/>).</summary>
    private static void CheckTarget(Tensor? target, Tensor logits, bool valuesChecked)
    {
        if (target is null)
        {
            throw new ArgumentNullException(nameof(target),
                $"{nameof(AttributionTarget.TrueClass)} attribution needs the (B) int64 target classes.");
        }

        NotNull(target, nameof(target));
        Dtype(target, nameof(target), ScalarType.Int64);
        if (target.dim() != 1)
        {
            throw new ArgumentException(
                $"{nameof(target)} must have shape (B); got {Shape(target)}.", nameof(target));
        }

        Batch(target, nameof(target), logits.shape[0], nameof(logits));
        SameDevice(target, nameof(target), logits, nameof(logits));
        if (!valuesChecked)
        {
            IndexRange(target, nameof(target), logits.shape[1]);
        }
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
        return (centred * safeVariance.rsqrt()).masked_fill(constant, 0.0);
    }

    /// <summary>(B,M,1,1) true where a map counts as constant (see <see cref="Standardize"/>).</summary>
    private static Tensor IsConstant(Tensor maps, double eps) => CentredOnPeakScale(maps, eps).Constant;

    /// <summary>
    /// Each map divided by its largest magnitude, then centred; its variance; and whether it counts as constant:
    /// variance ≤ eps · mean square, both of the divided map. z is invariant to a map's scale, so dividing first changes
    /// nothing but the range the arithmetic runs in: squares neither underflow at 1e-30 nor overflow at 1e30, and
    /// the constant rule means the same at every scale (an absolute threshold switched PAL off at scale 1e-7).
    /// The divisor is detached: z(a/m) = z(a) for every m &gt; 0, so its gradient through m is exactly zero.
    /// </summary>
    private static (Tensor Centred, Tensor Variance, Tensor Constant) CentredOnPeakScale(Tensor maps, double eps)
    {
        var peak = maps.detach().abs().amax([2, 3], keepdim: true);
        var scaled = maps / where(peak > 0, peak, ones_like(peak));
        var centred = scaled - scaled.mean([2, 3], keepdim: true);
        var variance = centred.square().mean([2, 3], keepdim: true);
        var constant = variance <= scaled.square().mean([2, 3], keepdim: true) * eps;
        return (centred, variance, constant);
    }

    /// <summary>What a non-finite attribution usually means, for the error message.</summary>
    private const string NonFiniteAttributionHint =
        "The model's weights or inputs may already be non-finite (a learning rate too high; check the previous " +
        "step's loss), or, on a CPU, LibTorch's oneDNN convolution backward returned NaN (a known LibTorch 2.10 bug " +
        "on AVX-512 CPUs): call CpuBackend.SetMkldnnEnabled(false) at start-up.";

    private static void CheckFinite(Tensor points, Tensor shown)
    {
        if (points.device_type != DeviceType.CPU)
        {
            return;
        }

        var bad = isfinite(points).all(2).logical_not().logical_and(shown);
        if (bad.any().item<bool>())
        {
            var first = bad.nonzero()[0];
            throw new ArgumentException(
                $"landmarks holds a non-finite coordinate at sample {first[0].item<long>()}, point " +
                $"{first[1].item<long>()}, which is not masked invisible; mark it false in visible or fix it.",
                "landmarks");
        }
    }

    private static void Positive(long value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be > 0; got {value}.");
        }
    }
}
