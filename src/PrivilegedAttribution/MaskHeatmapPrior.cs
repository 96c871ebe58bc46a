namespace PrivilegedAttribution;

/// <summary>
/// The privileged prior for a region given as a mask rather than landmarks (an object's ink or segmentation):
/// (B,1,H,W) non-negative weights → a Gaussian heatmap (B,1,h,w) rendered directly at any requested size, with the
/// numerics of <see cref="HeatmapPrior"/> (each pixel is a landmark weighted by its mask value). Delegates to
/// <see cref="PalFunctional.mask_heatmap"/>.
/// </summary>
/// <example><code>
/// var prior = new MaskHeatmapPrior(sigma: 2);
/// var heatmap = prior.render(cleanDigits, 14, 14);   // the digit's ink, at a 14×14 layer's size
/// var pal = PalFunctional.pal_loss(attribution, heatmap);
/// </code></example>
public sealed class MaskHeatmapPrior : nn.Module<Tensor, Tensor>, IHeatmapPrior, IValueCheckedPrior
{
    /// <summary>Creates the prior.</summary>
    /// <param name="sigma">Standard deviation of each pixel's Gaussian, in input pixels.</param>
    /// <param name="outputHeight">Height of <see cref="forward"/>'s map; the mask's height when null.</param>
    /// <param name="outputWidth">Width of <see cref="forward"/>'s map; the mask's width when null.</param>
    public MaskHeatmapPrior(double sigma, long? outputHeight = null, long? outputWidth = null)
        : base(nameof(MaskHeatmapPrior))
    {
        PositiveFinite(sigma, nameof(sigma));

        if (outputHeight is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(outputHeight), outputHeight, "must be > 0 when given.");
        }

        if (outputWidth is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(outputWidth), outputWidth, "must be > 0 when given.");
        }

        Sigma = sigma;
        OutputHeight = outputHeight;
        OutputWidth = outputWidth;
    }

    /// <summary>Gaussian standard deviation in input pixels.</summary>
    public double Sigma { get; }

    /// <summary>Height of the map <see cref="forward"/> renders; null for the mask's own height.</summary>
    public long? OutputHeight { get; }

    /// <summary>Width of the map <see cref="forward"/> renders; null for the mask's own width.</summary>
    public long? OutputWidth { get; }

    /// <summary>Renders (B,1,<see cref="OutputHeight"/>,<see cref="OutputWidth"/>).</summary>
    /// <param name="mask">(B,1,H,W) non-negative weights.</param>
    public override Tensor forward(Tensor mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        var height = OutputHeight ?? (mask.dim() == 4 ? mask.shape[2] : 1);
        var width = OutputWidth ?? (mask.dim() == 4 ? mask.shape[3] : 1);
        return render(mask, height, width);
    }

    /// <summary>Renders (B,1,<paramref name="outputHeight"/>,<paramref name="outputWidth"/>), e.g. at a tapped
    /// layer's spatial size.</summary>
    /// <param name="mask">(B,1,H,W) non-negative weights.</param>
    /// <param name="outputHeight">Height of the map.</param>
    /// <param name="outputWidth">Width of the map.</param>
    public Tensor render(Tensor mask, long outputHeight, long outputWidth) =>
        PalFunctional.mask_heatmap(mask, outputHeight, outputWidth, Sigma);

    /// <summary>Renders (B,1,<paramref name="outputHeight"/>,<paramref name="outputWidth"/>) on a layer's grid
    /// (<see cref="LayerGrid"/>): mask pixel (i, j) lands on cell ((i − OffsetY)/StrideY, (j − OffsetX)/StrideX), σ
    /// in cells is σ/stride; otherwise as <see cref="render(Tensor, long, long)"/>.</summary>
    /// <param name="mask">(B,1,H,W) non-negative weights.</param>
    /// <param name="grid">Where the map's cells lie on the mask's pixels.</param>
    /// <param name="outputHeight">Height of the map.</param>
    /// <param name="outputWidth">Width of the map.</param>
    public Tensor render(Tensor mask, LayerGrid grid, long outputHeight, long outputWidth)
    {
        ArgumentNullException.ThrowIfNull(grid);
        if (grid.IsDerivedFromModel)
        {
            throw new ArgumentException(
                "LayerGrid.FromModel is resolved by PalObjective from its model; here pass the grid itself " +
                "(LayerGrid.Probe(model, layer, images)).", nameof(grid));
        }

        PalFunctional.CheckMaskShape(mask);
        Positive(outputHeight, nameof(outputHeight));
        Positive(outputWidth, nameof(outputWidth));
        PalFunctional.CheckMaskValues(mask);
        return PalFunctional.MaskHeatmapOfChecked(mask, grid.RowMap, grid.ColumnMap, outputHeight, outputWidth, Sigma);
    }

    /// <inheritdoc />
    Tensor IHeatmapPrior.render(Tensor privileged, LayerGrid grid, long outputHeight, long outputWidth,
        Tensor? visible)
    {
        NoVisibility(visible);
        return render(privileged, grid, outputHeight, outputWidth);
    }

    /// <inheritdoc />
    Tensor IValueCheckedPrior.RenderOfChecked(Tensor mask, long outputHeight, long outputWidth, LayerGrid? grid,
        Tensor? visible)
    {
        var (rows, columns) = grid is null
            ? (AxisMap.Spanning(mask.shape[2], outputHeight), AxisMap.Spanning(mask.shape[3], outputWidth))
            : (grid.RowMap, grid.ColumnMap);
        return PalFunctional.MaskHeatmapOfChecked(mask, rows, columns, outputHeight, outputWidth, Sigma);
    }

    /// <inheritdoc />
    /// <remarks>A mask has no points: <paramref name="visible"/> must be null.</remarks>
    Tensor IHeatmapPrior.render(Tensor privileged, long outputHeight, long outputWidth, Tensor? visible)
    {
        NoVisibility(visible);
        return render(privileged, outputHeight, outputWidth);
    }

    /// <inheritdoc cref="IHeatmapPrior.CheckBatch" />
    /// <remarks>The mask is (B,1,H,W) on the images' device; its size need not be the images' (it is rendered at
    /// each layer's size).</remarks>
    public void CheckBatch(Tensor images, Tensor privileged, Tensor? visible)
    {
        NotNull(images, nameof(images));
        NotNull(privileged, "mask");
        NoVisibility(visible);
        PalFunctional.CheckMaskShape(privileged);
        Batch(privileged, "mask", images.shape[0], nameof(images));
        SameDevice(privileged, "mask", images, nameof(images));
    }

    /// <summary>(B) bool, true where a sample's mask holds a negative or non-finite weight; no host read.</summary>
    /// <param name="mask">(B,1,H,W) weights.</param>
    /// <param name="visible">Must be null.</param>
    public Tensor Violations(Tensor mask, Tensor? visible)
    {
        NoVisibility(visible);
        using var scope = NewDisposeScope();
        var bad = isfinite(mask).logical_not() | mask.Below(0.0);
        return bad.reshape(mask.shape[0], -1).any(1).MoveToOuterDisposeScope();
    }

    private static void NoVisibility(Tensor? visible)
    {
        if (visible is not null)
        {
            throw new ArgumentException(
                "A mask prior has no points to hide: pass visible = null (zero the mask where it does not apply).",
                nameof(visible));
        }
    }
}
