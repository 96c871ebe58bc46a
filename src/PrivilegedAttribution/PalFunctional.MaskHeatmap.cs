namespace PrivilegedAttribution;

public static partial class PalFunctional
{
    /// <summary>
    /// Renders a weighted mask (the privileged region: an object's ink or segmentation, a saliency annotation) as a
    /// Gaussian heatmap directly at the requested size, with the numerics of <see cref="landmark_heatmap"/>: every
    /// pixel is a landmark at its centre weighted by its mask value.
    /// </summary>
    /// <param name="mask">(B,1,H,W) non-negative weights, e.g. a clean image's ink in [0, 1] or a 0/1 mask.</param>
    /// <param name="outputHeight">Height of the rendered map (e.g. the tapped layer's h).</param>
    /// <param name="outputWidth">Width of the rendered map.</param>
    /// <param name="sigma">Standard deviation of each pixel's Gaussian, in input pixels.</param>
    /// <returns>(B,1,outputHeight,outputWidth) in the mask's dtype and device, each sample scaled to peak 1; an
    /// all-zero mask gives an all-zero map (and so zero PAL).</returns>
    /// <remarks>Pixel (i, j) of an H×W mask maps to x' = (j + ½)·outW/W − ½, y' = (i + ½)·outH/H − ½ and σ' = σ·outW/W
    /// (σ'y with H), so a mask holding a single 1 equals the landmark heatmap of that pixel. The Gaussian is separable:
    /// the map is E_y·M·E_xᵀ, two matrix products, with no full-size rendering or resampling. Negative or non-finite
    /// weights are an error; the check reads the values, so it runs only for tensors in host memory.</remarks>
    /// <example><code>
    /// var ink = cleanImages;                                          // (B,1,28,28) before any decoy is pasted
    /// var heatmap = PalFunctional.mask_heatmap(ink, 14, 14, sigma: 2); // at a 14×14 layer's size
    /// </code></example>
    public static Tensor mask_heatmap(Tensor mask, long outputHeight, long outputWidth, double sigma)
    {
        CheckMaskShape(mask);
        Positive(outputHeight, nameof(outputHeight));
        Positive(outputWidth, nameof(outputWidth));
        PositiveFinite(sigma, nameof(sigma));

        CheckMaskValues(mask);
        var (height, width) = (mask.shape[2], mask.shape[3]);
        return MaskHeatmapOfChecked(mask, AxisMap.Spanning(height, outputHeight), AxisMap.Spanning(width, outputWidth),
            outputHeight, outputWidth, sigma);
    }

    /// <summary>The map of <see cref="mask_heatmap"/> for a checked mask, on any grid (pixel centres map to cells
    /// through <paramref name="rows"/> and <paramref name="columns"/>). No host read.</summary>
    internal static Tensor MaskHeatmapOfChecked(
        Tensor mask,
        AxisMap rows,
        AxisMap columns,
        long outputHeight,
        long outputWidth,
        double sigma)
    {
        var (height, width) = (mask.shape[2], mask.shape[3]);
        var computeType = ComputeType(mask.dtype);
        ResolvableOnGrid(sigma, rows.Scale, outputHeight, computeType);
        ResolvableOnGrid(sigma, columns.Scale, outputWidth, computeType);
        using var scope = NewDisposeScope();
        var weights = mask.to(computeType).squeeze(1);
        var ey = GaussianMatrix(height, rows, outputHeight, sigma, computeType, mask.device);
        var ex = GaussianMatrix(width, columns, outputWidth, sigma, computeType, mask.device);
        // (outH,H)·(B,H,W)·(W,outW): each input pixel's separable Gaussian, summed with its weight.
        var map = ey.matmul(weights).matmul(ex.t());
        return ScaledToPeakOne(map).unsqueeze(1).to(mask.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>The mask's shape rules (no host read).</summary>
    internal static void CheckMaskShape(Tensor mask)
    {
        NotNull(mask, nameof(mask));
        Floating(mask, nameof(mask));
        Rank(mask, nameof(mask), 4, "(B,1,H,W)");
        NonEmptyBatch(mask, nameof(mask));
        if (mask.shape[1] != 1 || mask.shape[2] == 0 || mask.shape[3] == 0)
        {
            throw new ArgumentException(
                $"{nameof(mask)} must have shape (B,1,H,W) with H, W > 0; got {Shape(mask)}.", nameof(mask));
        }
    }

    /// <summary>A pixel's centre can lie up to half an output pixel from the nearest grid point; if its Gaussian
    /// underflows even there, an inked mask renders as all zeros. σ' must exceed about 0.04 output pixels in float32
    /// (0.013 in float64).</summary>
    private static void ResolvableOnGrid(double sigma, double scale, long outputSize, ScalarType dtype)
    {
        var sigmaOut = sigma * scale;
        var smallestLog = dtype == ScalarType.Float64 ? Math.Log(double.Epsilon) : Math.Log(1.17549435e-38);
        if (!(-0.25 / (2 * sigmaOut * sigmaOut) > smallestLog))
        {
            throw new ArgumentOutOfRangeException(nameof(sigma), sigma,
                $"{nameof(sigma)} = {sigma:G3} input pixels is {sigmaOut:G3} pixels on the {outputSize}-pixel output " +
                $"grid: a pixel half a grid step from the nearest point would render as 0 in {dtype}, so an inked " +
                $"mask could give an all-zero map. Use σ' ≥ {Math.Sqrt(-0.125 / smallestLog):G2} output pixels.");
        }
    }

    /// <summary>(outSize, inSize): entry [o, i] = exp(−(o − c_i)²/(2σ'²)) with c_i the centre of input pixel i on
    /// the map's grid and σ' = σ·scale, the same mapping as <see cref="landmark_heatmap"/>.</summary>
    private static Tensor GaussianMatrix(long inSize, AxisMap map, long outSize, double sigma, ScalarType dtype,
        Device device)
    {
        var scaledSigma = sigma * map.Scale;
        var centres = map.Apply(Positions(inSize, dtype, device));
        var grid = Positions(outSize, dtype, device);
        return (grid.unsqueeze(1) - centres.unsqueeze(0)).Squared().DividedBy(-2.0 * scaledSigma * scaledSigma).exp();
    }

    /// <summary>Finite, non-negative weights; reads the values, so only for a mask in host memory.</summary>
    internal static void CheckMaskValues(Tensor weights)
    {
        if (weights.device_type != DeviceType.CPU)
        {
            return;
        }

        using var scope = NewDisposeScope();
        weights = weights.to(ComputeType(weights.dtype));
        if (!isfinite(weights).all().item<bool>())
        {
            throw new ArgumentException("mask holds a non-finite weight.", "mask");
        }

        var low = weights.min().to(ScalarType.Float64).item<double>();
        if (low < 0)
        {
            throw new ArgumentException(
                $"mask must hold non-negative weights (a heatmap is a sum of Gaussians); its minimum is {low}.",
                "mask");
        }
    }
}
