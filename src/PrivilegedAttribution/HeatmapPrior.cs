namespace PrivilegedAttribution;

/// <summary>
/// The privileged prior: landmarks (B,K,2) in input-image pixels → a Gaussian heatmap (B,1,h,w) rendered directly
/// at any requested size, optionally restricted to facial regions of the iBUG-68 order. Delegates to
/// <see cref="PalFunctional.landmark_heatmap"/>.
/// </summary>
/// <example><code>
/// var prior = new HeatmapPrior(112, 112, sigma: 6, regions: LandmarkRegion.InnerFace);
/// var heatmap = prior.render(landmarks, 14, 14);     // at layer3's size for a 112×112 ResNet input
/// </code></example>
public sealed class HeatmapPrior : nn.Module<Tensor, Tensor>, IHeatmapPrior, IValueCheckedPrior
{
    private readonly int[]? _regionIndices;
    private Tensor? _indexCache;

    /// <summary>Creates the prior.</summary>
    /// <param name="imageHeight">Height of the input images the landmarks refer to.</param>
    /// <param name="imageWidth">Width of the input images.</param>
    /// <param name="sigma">Standard deviation of each Gaussian, in input pixels.</param>
    /// <param name="regions">Facial regions kept (iBUG-68 order, so K must be 68 unless
    /// <see cref="LandmarkRegion.All"/>, which keeps every point of any K).</param>
    /// <param name="combine">Sum or maximum of the Gaussians.</param>
    /// <param name="outputHeight">Height of <see cref="forward(Tensor)"/>'s map; the image height when null.</param>
    /// <param name="outputWidth">Width of <see cref="forward(Tensor)"/>'s map; the image width when null.</param>
    public HeatmapPrior(
        long imageHeight,
        long imageWidth,
        double sigma,
        LandmarkRegion regions = LandmarkRegion.All,
        HeatmapCombine combine = HeatmapCombine.Sum,
        long? outputHeight = null,
        long? outputWidth = null)
        : base(nameof(HeatmapPrior))
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(imageHeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(imageWidth);
        PositiveFinite(sigma, nameof(sigma));

        ImageHeight = imageHeight;
        ImageWidth = imageWidth;
        Sigma = sigma;
        Regions = regions;
        Combine = combine;
        OutputHeight = outputHeight ?? imageHeight;
        OutputWidth = outputWidth ?? imageWidth;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(OutputHeight, nameof(outputHeight));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(OutputWidth, nameof(outputWidth));
        _regionIndices = regions == LandmarkRegion.All ? null : LandmarkRegions.Indices(regions);
    }

    /// <summary>Height of the input images.</summary>
    public long ImageHeight { get; }

    /// <summary>Width of the input images.</summary>
    public long ImageWidth { get; }

    /// <summary>Gaussian standard deviation in input pixels.</summary>
    public double Sigma { get; }

    /// <summary>The facial regions kept.</summary>
    public LandmarkRegion Regions { get; }

    /// <summary>How the Gaussians combine.</summary>
    public HeatmapCombine Combine { get; }

    /// <summary>Height of the map <see cref="forward(Tensor)"/> renders.</summary>
    public long OutputHeight { get; }

    /// <summary>Width of the map <see cref="forward(Tensor)"/> renders.</summary>
    public long OutputWidth { get; }

    /// <summary>Renders (B,1,<see cref="OutputHeight"/>,<see cref="OutputWidth"/>).</summary>
    public override Tensor forward(Tensor landmarks) => render(landmarks, OutputHeight, OutputWidth);

    /// <summary>Renders (B,1,<see cref="OutputHeight"/>,<see cref="OutputWidth"/>) with a (B,K) visibility
    /// mask.</summary>
    public Tensor forward(Tensor landmarks, Tensor? visible) =>
        render(landmarks, OutputHeight, OutputWidth, visible);

    /// <summary>Renders (B,1,<paramref name="outputHeight"/>,<paramref name="outputWidth"/>), e.g. at a tapped
    /// layer's spatial size.</summary>
    /// <param name="landmarks">(B,K,2) points as (x, y) in input-image pixels.</param>
    /// <param name="outputHeight">Height of the map.</param>
    /// <param name="outputWidth">Width of the map.</param>
    /// <param name="visible">Optional (B,K) bool mask.</param>
    public Tensor render(Tensor landmarks, long outputHeight, long outputWidth, Tensor? visible = null)
    {
        if (_regionIndices is null)
        {
            return PalFunctional.landmark_heatmap(landmarks, ImageHeight, ImageWidth, outputHeight, outputWidth,
                Sigma, visible, Combine);
        }

        using var scope = NewDisposeScope();
        var (kept, keptVisible) = SelectRegions(landmarks, visible);
        return PalFunctional.landmark_heatmap(kept, ImageHeight, ImageWidth, outputHeight, outputWidth, Sigma,
            keptVisible, Combine).MoveToOuterDisposeScope();
    }

    /// <summary>Renders (B,1,<paramref name="outputHeight"/>,<paramref name="outputWidth"/>) on a layer's grid
    /// (<see cref="LayerGrid"/>): a landmark at (x, y) lands on cell ((y − OffsetY)/StrideY, (x − OffsetX)/StrideX),
    /// σ in cells is σ/stride; otherwise as <see cref="render(Tensor, long, long, Tensor?)"/>.</summary>
    /// <param name="landmarks">(B,K,2) points as (x, y) in input-image pixels.</param>
    /// <param name="grid">Where the map's cells lie on the input image.</param>
    /// <param name="outputHeight">Height of the map.</param>
    /// <param name="outputWidth">Width of the map.</param>
    /// <param name="visible">Optional (B,K) bool mask.</param>
    public Tensor render(Tensor landmarks, LayerGrid grid, long outputHeight, long outputWidth, Tensor? visible = null)
    {
        ArgumentNullException.ThrowIfNull(grid);
        if (grid.IsDerivedFromModel)
        {
            throw new ArgumentException(
                "LayerGrid.FromModel is resolved by PalObjective from its model; here pass the grid itself " +
                "(LayerGrid.Probe(model, layer, images)).", nameof(grid));
        }

        PalFunctional.CheckLandmarkShapes(landmarks, visible);
        Positive(outputHeight, nameof(outputHeight));
        Positive(outputWidth, nameof(outputWidth));
        using var scope = NewDisposeScope();
        var (kept, keptVisible) = _regionIndices is null ? (landmarks, visible) : SelectRegions(landmarks, visible);
        PalFunctional.CheckLandmarkValues(kept, keptVisible, ImageHeight, ImageWidth);
        return PalFunctional.LandmarkHeatmapOfChecked(kept, grid.RowMap, grid.ColumnMap, outputHeight, outputWidth,
            Sigma, keptVisible, Combine).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    Tensor IValueCheckedPrior.RenderOfChecked(Tensor landmarks, long outputHeight, long outputWidth, LayerGrid? grid,
        Tensor? visible)
    {
        using var scope = NewDisposeScope();
        var (kept, keptVisible) = _regionIndices is null ? (landmarks, visible) : SelectRegions(landmarks, visible);
        var (rows, columns) = grid is null
            ? (AxisMap.Spanning(ImageHeight, outputHeight), AxisMap.Spanning(ImageWidth, outputWidth))
            : (grid.RowMap, grid.ColumnMap);
        return PalFunctional.LandmarkHeatmapOfChecked(kept, rows, columns, outputHeight, outputWidth, Sigma,
            keptVisible, Combine).MoveToOuterDisposeScope();
    }

    /// <inheritdoc cref="IHeatmapPrior.CheckBatch" />
    /// <remarks>The images must be <see cref="ImageHeight"/>×<see cref="ImageWidth"/>, the size the landmarks'
    /// pixels refer to; the landmarks (B,K,2) on the images' device.</remarks>
    public void CheckBatch(Tensor images, Tensor privileged, Tensor? visible)
    {
        LandmarkChecks.CheckPriorBatch(images, privileged, visible, ImageHeight, ImageWidth, nameof(HeatmapPrior));
        if (_regionIndices is not null && privileged.shape[1] != LandmarkRegions.Ibug68Count)
        {
            throw new ArgumentException(
                $"Region presets ({Regions}) need landmarks of shape (B,68,2) in the iBUG-68 order; got " +
                $"{Shape(privileged)}.", "landmarks");
        }
    }

    /// <summary>(B) bool on the landmarks' device, true where a sample's kept landmarks break the prior's rule
    /// (non-finite visible coordinates, unit or frame mistakes: see <see cref="PalFunctional.landmark_heatmap"/>),
    /// with no host read; <see cref="PalObjective"/> folds it into its one read per step.</summary>
    /// <param name="landmarks">(B,K,2) landmarks.</param>
    /// <param name="visible">Optional (B,K) visibility.</param>
    public Tensor Violations(Tensor landmarks, Tensor? visible)
    {
        using var scope = NewDisposeScope();
        var (kept, keptVisible) = _regionIndices is null ? (landmarks, visible) : SelectRegions(landmarks, visible);
        var shown = keptVisible ?? ones(kept.shape[0], kept.shape[1], ScalarType.Bool, kept.device);
        return LandmarkChecks.Violations(kept, shown, ImageHeight, ImageWidth).MoveToOuterDisposeScope();
    }

    /// <summary>The landmarks (and visibility) of the prior's regions, in the current dispose scope.</summary>
    private (Tensor Landmarks, Tensor? Visible) SelectRegions(Tensor landmarks, Tensor? visible)
    {
        NotNull(landmarks, nameof(landmarks));
        if (landmarks.dim() != 3 || landmarks.shape[1] != LandmarkRegions.Ibug68Count)
        {
            throw new ArgumentException(
                $"Region presets ({Regions}) need {nameof(landmarks)} of shape (B,68,2) in the iBUG-68 order; got " +
                $"{Shape(landmarks)}.", nameof(landmarks));
        }

        var index = RegionIndex(landmarks.device);
        if (visible is null)
        {
            return (landmarks.index_select(1, index), null);
        }

        NotNull(visible, nameof(visible));
        if (visible.dim() != 2 || visible.shape[0] != landmarks.shape[0] || visible.shape[1] != landmarks.shape[1])
        {
            throw new ArgumentException(
                $"{nameof(visible)} must have shape [{landmarks.shape[0]}, {landmarks.shape[1]}] to match " +
                $"{nameof(landmarks)} {Shape(landmarks)}; got {Shape(visible)}.", nameof(visible));
        }

        SameDevice(visible, nameof(visible), landmarks, nameof(landmarks));
        return (landmarks.index_select(1, index), visible.index_select(1, index));
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _indexCache?.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>The region's indices on <paramref name="device"/>, copied there once rather than every call.</summary>
    private Tensor RegionIndex(Device device)
    {
        if (_indexCache is null || _indexCache.device_type != device.type || _indexCache.device_index != device.index)
        {
            _indexCache?.Dispose();
            using var host = tensor(_regionIndices!.Select(i => (long)i).ToArray());
            _indexCache = host.to(device).DetachFromDisposeScope();
        }

        return _indexCache;
    }
}
