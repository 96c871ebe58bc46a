namespace PrivilegedAttribution;

public static partial class PalFunctional
{
    /// <summary>
    /// Renders landmarks as a Gaussian heatmap directly at the requested size (no resampling of a full-size map).
    /// </summary>
    /// <param name="landmarks">(B,K,2) points as (x, y) in input-image pixels; pixel centres are integers. Points a
    /// little outside the image are allowed (faces cut by the frame); see remarks for what is not.</param>
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
    /// Each Gaussian is evaluated relative to its nearest grid pixel, so a σ' far below a pixel renders that pixel
    /// rather than an all-zero map; a σ' whose 1/(2σ'²) the dtype cannot hold is an error. Non-finite visible
    /// coordinates and unit or frame mistakes are errors (per sample, at least half of the visible points must lie
    /// on the image, and for images of 8 pixels or more two or more visible points must not all lie within
    /// [−1, 1]², which normalised coordinates do); these checks read the values, so they run only for tensors in
    /// host memory (on an accelerator, <see cref="PalObjective.GuardNonFinite"/> runs them).</remarks>
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
        CheckLandmarkShapes(landmarks, visible);
        Positive(imageHeight, nameof(imageHeight));
        Positive(imageWidth, nameof(imageWidth));
        Positive(outputHeight, nameof(outputHeight));
        Positive(outputWidth, nameof(outputWidth));
        PositiveFinite(sigma, nameof(sigma));
        CheckLandmarkValues(landmarks, visible, imageHeight, imageWidth);
        return LandmarkHeatmapOfChecked(landmarks, AxisMap.Spanning(imageHeight, outputHeight),
            AxisMap.Spanning(imageWidth, outputWidth), outputHeight, outputWidth, sigma, visible, combine);
    }

    /// <summary>The map of <see cref="landmark_heatmap"/> for arguments whose shapes are checked and whose values
    /// are checked by the caller (or folded into its one host read), on any grid: input coordinates map to cells
    /// through <paramref name="rows"/> and <paramref name="columns"/>. No host read.</summary>
    internal static Tensor LandmarkHeatmapOfChecked(
        Tensor landmarks,
        AxisMap rows,
        AxisMap columns,
        long outputHeight,
        long outputWidth,
        double sigma,
        Tensor? visible,
        HeatmapCombine combine)
    {
        var (batch, count) = (landmarks.shape[0], landmarks.shape[1]);
        var computeType = ComputeType(landmarks.dtype);
        // exp(−d²·c) with c = 1/(2σ'²): c must exist in the compute dtype, or every map turns to 0 or NaN.
        var coefficientX = RepresentableCoefficient(sigma, columns.Scale, outputWidth, computeType);
        var coefficientY = RepresentableCoefficient(sigma, rows.Scale, outputHeight, computeType);
        if (count == 0)
        {
            return zeros(batch, 1, outputHeight, outputWidth, landmarks.dtype, landmarks.device);
        }

        using var scope = NewDisposeScope();
        var points = landmarks.to(computeType);
        var shown = visible ?? ones(batch, count, ScalarType.Bool, landmarks.device);
        // Masked points may hold NaN: replace them before any arithmetic so that nothing leaks through the mask.
        points = where(shown.unsqueeze(-1), points, zeros_like(points));
        var x = columns.Apply(points.select(2, 0));
        var y = rows.Apply(points.select(2, 1));
        var columnIndex = Positions(outputWidth, computeType, landmarks.device);
        var rowIndex = Positions(outputHeight, computeType, landmarks.device);
        // The Gaussian is separable: exp(−dx²·cx − dy²·cy) = ex·ey, so each point needs only (W + H) values. Each
        // factor is taken relative to its own peak (its nearest pixel) and each point weighted relative to the
        // sample's best point, which changes the map only by a constant factor that the peak normalisation removes,
        // but keeps it from underflowing to all zeros when σ' is far below a pixel or the points lie off the grid.
        var logX = (columnIndex - x.unsqueeze(-1)).Squared().Times(-coefficientX);
        var logY = (rowIndex - y.unsqueeze(-1)).Squared().Times(-coefficientY);
        var peakX = logX.amax([2], keepdim: true);
        var peakY = logY.amax([2], keepdim: true);
        var logWeight = where(shown.unsqueeze(-1), peakX.Plus(peakY), FullLike(peakX, double.NegativeInfinity));
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
            map = (ey.unsqueeze(-1) * ex.unsqueeze(-2)).amax([1]);
        }
        else
        {
            throw new ArgumentOutOfRangeException(nameof(combine), combine, null);
        }

        return ScaledToPeakOne(map).unsqueeze(1).to(landmarks.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>The value rules of <see cref="landmark_heatmap"/> (finite visible points, no unit or frame
    /// mistake): they read the values, so they run for tensors in host memory only.</summary>
    internal static void CheckLandmarkValues(Tensor landmarks, Tensor? visible, long imageHeight, long imageWidth)
    {
        if (landmarks.device_type != DeviceType.CPU || landmarks.shape[1] == 0)
        {
            return;
        }

        using var scope = NewDisposeScope();
        var shown = visible ?? ones(landmarks.shape[0], landmarks.shape[1], ScalarType.Bool, landmarks.device);
        var points = landmarks.to(ComputeType(landmarks.dtype));
        CheckFinite(points, shown);
        points = where(shown.unsqueeze(-1), points, zeros_like(points));
        LandmarkChecks.ThrowIfViolated(points, shown, imageHeight, imageWidth, nameof(landmarks));
    }

    /// <summary>The shape, dtype and device rules of <see cref="landmark_heatmap"/>'s landmarks and visibility
    /// (no host read).</summary>
    internal static void CheckLandmarkShapes(Tensor landmarks, Tensor? visible)
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
}
