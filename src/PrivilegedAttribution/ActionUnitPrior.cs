namespace PrivilegedAttribution;

/// <summary>
/// A class-specific privileged prior: each sample's heatmap shows the facial action units of its own expression
/// (a happy face's cheeks and lip corners, a surprised face's brows, upper lids and open mouth), located from its
/// 68 iBUG landmarks and drawn as Gaussians (B,1,h,w) rendered directly at any requested size, as
/// <see cref="HeatmapPrior"/> draws landmarks. After Belharbi et al. 2024 ("Guided Interpretable Facial Expression
/// Recognition via Spatial Action Unit Cues"), with the codebook of <see cref="ActionUnitCodebook"/> (EMFACS by
/// default) and the class order of the dataset (<see cref="ExpressionClassOrder"/>).
/// </summary>
/// <remarks>
/// <para>For sample b with label y: every point of every unit of expression <c>classes[y]</c>
/// (<see cref="ActionUnitPoint"/>: a mean of landmarks moved in inter-ocular units, each point once even when two
/// units share it) is rendered with the numerics of <see cref="PalFunctional.landmark_heatmap"/>: a Gaussian of
/// standard deviation <see cref="Sigma"/> input pixels per point, summed (or the maximum), each map scaled to peak 1.
/// A point built from a hidden landmark is hidden (a point with an offset also needs landmarks 36 and 45, which
/// define the offsets' units). A sample with no point shown, such as a neutral face, gets an all-zero map and so a
/// zero PAL term with zero gradient: it trains on the criterion alone.</para>
/// <para>The landmarks follow <see cref="HeatmapPrior"/>'s rules (input-image pixels, pixel centres at integers,
/// the frame and unit checks of <see cref="PalFunctional.landmark_heatmap"/>) and must be (B,68,2) in the iBUG
/// order. Rendering runs on the landmarks' device and dtype in one vectorised pass with no host read; the public
/// <c>render</c> calls also check the values (labels in range, finite landmarks) for tensors in host memory, as
/// every prior does, while <see cref="PalObjective"/> folds those checks into its one read per step.</para>
/// <para>Without labels (<see cref="render(Tensor, long, long, Tensor?)"/>) the map shows every unit of every
/// class together, the class-agnostic action-unit map; <see cref="PalObjective"/> always passes the labels.</para>
/// </remarks>
/// <example><code>
/// var prior = new ActionUnitPrior(112, 112, sigma: 6, ExpressionClassOrder.RafDb);
/// using var objective = new PalObjective(model, [new PalLayer("layer3", 0.5)], prior);
/// var output = objective.Compute(images, labels, landmarks);   // each face's map follows its own label
/// var heatmap = prior.render(landmarks, labels, 14, 14);        // or directly, at layer3's size
/// </code></example>
public sealed class ActionUnitPrior : nn.Module<Tensor, Tensor, Tensor>, IClassConditionalPrior, IValueCheckedPrior
{
    private const int EyeLineStart = 36, EyeLineEnd = 45;

    private readonly FacialExpression[] _classes;
    private readonly ActionUnitPoint[] _points;
    private readonly bool[,] _membership;
    private CodebookTensors? _cache;

    /// <summary>Creates the prior.</summary>
    /// <param name="imageHeight">Height of the input images the landmarks refer to.</param>
    /// <param name="imageWidth">Width of the input images.</param>
    /// <param name="sigma">Standard deviation of each Gaussian, in input pixels.</param>
    /// <param name="classes">The expression of each label, in label order: <see cref="ExpressionClassOrder.RafDb"/>,
    /// <see cref="ExpressionClassOrder.AffectNet"/>, or <see cref="ExpressionClassOrder.FromNames"/> of a dataset's
    /// class names. Required: datasets number expressions differently.</param>
    /// <param name="codebook">Each expression's units and their locations; <see cref="ActionUnitCodebook.Emfacs"/>
    /// when null. It must list every expression of <paramref name="classes"/>.</param>
    /// <param name="combine">Sum or maximum of the Gaussians.</param>
    /// <param name="outputHeight">Height of <see cref="forward(Tensor, Tensor)"/>'s map; the image height when
    /// null.</param>
    /// <param name="outputWidth">Width of <see cref="forward(Tensor, Tensor)"/>'s map; the image width when null.
    /// </param>
    /// <exception cref="ArgumentException">An empty class order, one naming an expression twice, or an expression
    /// the codebook does not list.</exception>
    public ActionUnitPrior(
        long imageHeight,
        long imageWidth,
        double sigma,
        IReadOnlyList<FacialExpression> classes,
        ActionUnitCodebook? codebook = null,
        HeatmapCombine combine = HeatmapCombine.Sum,
        long? outputHeight = null,
        long? outputWidth = null)
        : base(nameof(ActionUnitPrior))
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(imageHeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(imageWidth);
        PositiveFinite(sigma, nameof(sigma));
        ArgumentNullException.ThrowIfNull(classes);
        ExpressionClassOrder.Check(classes, nameof(classes));
        if (!Enum.IsDefined(combine))
        {
            throw new ArgumentOutOfRangeException(nameof(combine), combine, null);
        }

        Codebook = codebook ?? ActionUnitCodebook.Emfacs;
        _classes = classes.ToArray();
        var unitsOfClass = new IReadOnlyList<ActionUnit>[_classes.Length];
        for (var c = 0; c < _classes.Length; c++)
        {
            try
            {
                unitsOfClass[c] = Codebook.UnitsOf(_classes[c]);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"{nameof(classes)}[{c}] is {_classes[c]}: {e.Message}", nameof(codebook),
                    e);
            }
        }

        // Each distinct point once: two units at one place (AU23 and AU24, say) light it once, not twice.
        _points = unitsOfClass.SelectMany(units => units.SelectMany(u => u.Points)).Distinct().ToArray();
        _membership = new bool[_classes.Length, _points.Length];
        for (var c = 0; c < _classes.Length; c++)
        {
            foreach (var point in unitsOfClass[c].SelectMany(u => u.Points))
            {
                _membership[c, Array.IndexOf(_points, point)] = true;
            }
        }

        ImageHeight = imageHeight;
        ImageWidth = imageWidth;
        Sigma = sigma;
        Combine = combine;
        OutputHeight = outputHeight ?? imageHeight;
        OutputWidth = outputWidth ?? imageWidth;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(OutputHeight, nameof(outputHeight));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(OutputWidth, nameof(outputWidth));
    }

    /// <summary>Height of the input images.</summary>
    public long ImageHeight { get; }

    /// <summary>Width of the input images.</summary>
    public long ImageWidth { get; }

    /// <summary>Gaussian standard deviation in input pixels.</summary>
    public double Sigma { get; }

    /// <summary>The expression of each label.</summary>
    public IReadOnlyList<FacialExpression> Classes => _classes;

    /// <summary>The number of labels: labels lie in [0, ClassCount).</summary>
    public int ClassCount => _classes.Length;

    /// <summary>Each expression's units and their locations.</summary>
    public ActionUnitCodebook Codebook { get; }

    /// <summary>How the Gaussians combine.</summary>
    public HeatmapCombine Combine { get; }

    /// <summary>Height of the map <see cref="forward(Tensor, Tensor)"/> renders.</summary>
    public long OutputHeight { get; }

    /// <summary>Width of the map <see cref="forward(Tensor, Tensor)"/> renders.</summary>
    public long OutputWidth { get; }

    /// <summary>The units a sample of class <paramref name="label"/> is steered towards.</summary>
    /// <param name="label">A class index in [0, <see cref="ClassCount"/>).</param>
    public IReadOnlyList<ActionUnit> UnitsOf(int label)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(label);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(label, ClassCount);
        return Codebook.UnitsOf(_classes[label]);
    }

    /// <summary>Renders (B,1,<see cref="OutputHeight"/>,<see cref="OutputWidth"/>).</summary>
    /// <param name="landmarks">(B,68,2) points as (x, y) in input-image pixels.</param>
    /// <param name="labels">(B) int64 class indices.</param>
    public override Tensor forward(Tensor landmarks, Tensor labels) =>
        render(landmarks, labels, OutputHeight, OutputWidth);

    /// <summary>Renders (B,1,<see cref="OutputHeight"/>,<see cref="OutputWidth"/>) with a (B,68) visibility mask.
    /// </summary>
    /// <param name="landmarks">(B,68,2) points as (x, y) in input-image pixels.</param>
    /// <param name="labels">(B) int64 class indices.</param>
    /// <param name="visible">Optional (B,68) bool mask.</param>
    public Tensor forward(Tensor landmarks, Tensor labels, Tensor? visible) =>
        render(landmarks, labels, OutputHeight, OutputWidth, visible);

    /// <summary>Renders (B,1,<paramref name="outputHeight"/>,<paramref name="outputWidth"/>), sample b showing the
    /// units of expression <see cref="Classes"/>[<paramref name="labels"/>[b]], e.g. at a tapped layer's size.
    /// </summary>
    /// <param name="landmarks">(B,68,2) points as (x, y) in input-image pixels, iBUG order.</param>
    /// <param name="labels">(B) int64 class indices in [0, <see cref="ClassCount"/>), on the landmarks' device.
    /// </param>
    /// <param name="outputHeight">Height of the map.</param>
    /// <param name="outputWidth">Width of the map.</param>
    /// <param name="visible">Optional (B,68) bool mask; a point built from a hidden landmark is not drawn.</param>
    /// <returns>(B,1,outputHeight,outputWidth) in the landmarks' dtype and device, each map peak 1 (or all zero).
    /// </returns>
    /// <exception cref="ArgumentException">Bad shapes, dtypes or devices, a label out of range, or landmarks that
    /// break <see cref="PalFunctional.landmark_heatmap"/>'s rules (the value checks run in host memory only).
    /// </exception>
    public Tensor render(Tensor landmarks, Tensor labels, long outputHeight, long outputWidth, Tensor? visible = null)
    {
        CheckArguments(landmarks, labels, visible, outputHeight, outputWidth);
        return RenderChecked(landmarks, labels, AxisMap.Spanning(ImageHeight, outputHeight),
            AxisMap.Spanning(ImageWidth, outputWidth), outputHeight, outputWidth, visible);
    }

    /// <summary>Renders as <see cref="render(Tensor, Tensor, long, long, Tensor?)"/> on a layer's grid
    /// (<see cref="LayerGrid"/>): a point at (x, y) lands on cell ((y − OffsetY)/StrideY, (x − OffsetX)/StrideX),
    /// σ in cells is σ/stride.</summary>
    /// <param name="landmarks">(B,68,2) points as (x, y) in input-image pixels.</param>
    /// <param name="labels">(B) int64 class indices.</param>
    /// <param name="grid">Where the map's cells lie on the input image.</param>
    /// <param name="outputHeight">Height of the map.</param>
    /// <param name="outputWidth">Width of the map.</param>
    /// <param name="visible">Optional (B,68) bool mask.</param>
    public Tensor render(Tensor landmarks, Tensor labels, LayerGrid grid, long outputHeight, long outputWidth,
        Tensor? visible = null)
    {
        CheckGrid(grid);
        CheckArguments(landmarks, labels, visible, outputHeight, outputWidth);
        return RenderChecked(landmarks, labels, grid.RowMap, grid.ColumnMap, outputHeight, outputWidth, visible);
    }

    /// <summary>Renders the class-agnostic map (B,1,<paramref name="outputHeight"/>,<paramref name="outputWidth"/>):
    /// every unit of every class of <see cref="Classes"/> at once, for a batch without labels (inspection, or the
    /// generic action-unit prior).</summary>
    /// <param name="landmarks">(B,68,2) points as (x, y) in input-image pixels.</param>
    /// <param name="outputHeight">Height of the map.</param>
    /// <param name="outputWidth">Width of the map.</param>
    /// <param name="visible">Optional (B,68) bool mask.</param>
    public Tensor render(Tensor landmarks, long outputHeight, long outputWidth, Tensor? visible = null)
    {
        CheckArguments(landmarks, null, visible, outputHeight, outputWidth);
        return RenderChecked(landmarks, null, AxisMap.Spanning(ImageHeight, outputHeight),
            AxisMap.Spanning(ImageWidth, outputWidth), outputHeight, outputWidth, visible);
    }

    /// <summary>Renders the class-agnostic map of <see cref="render(Tensor, long, long, Tensor?)"/> on a layer's
    /// grid.</summary>
    /// <param name="landmarks">(B,68,2) points as (x, y) in input-image pixels.</param>
    /// <param name="grid">Where the map's cells lie on the input image.</param>
    /// <param name="outputHeight">Height of the map.</param>
    /// <param name="outputWidth">Width of the map.</param>
    /// <param name="visible">Optional (B,68) bool mask.</param>
    public Tensor render(Tensor landmarks, LayerGrid grid, long outputHeight, long outputWidth, Tensor? visible = null)
    {
        CheckGrid(grid);
        CheckArguments(landmarks, null, visible, outputHeight, outputWidth);
        return RenderChecked(landmarks, null, grid.RowMap, grid.ColumnMap, outputHeight, outputWidth, visible);
    }

    /// <inheritdoc />
    Tensor IValueCheckedPrior.RenderOfChecked(Tensor landmarks, long outputHeight, long outputWidth, LayerGrid? grid,
        Tensor? visible) => RenderOnGrid(landmarks, null, outputHeight, outputWidth, grid, visible);

    /// <inheritdoc />
    Tensor IValueCheckedPrior.RenderOfChecked(Tensor landmarks, Tensor labels, long outputHeight, long outputWidth,
        LayerGrid? grid, Tensor? visible) => RenderOnGrid(landmarks, labels, outputHeight, outputWidth, grid, visible);

    /// <inheritdoc cref="IHeatmapPrior.CheckBatch" />
    /// <remarks>The images must be <see cref="ImageHeight"/>×<see cref="ImageWidth"/>, the size the landmarks'
    /// pixels refer to; the landmarks (B,68,2) on the images' device. The labels are the objective's own, checked
    /// there.</remarks>
    public void CheckBatch(Tensor images, Tensor privileged, Tensor? visible)
    {
        LandmarkChecks.CheckPriorBatch(images, privileged, visible, ImageHeight, ImageWidth, nameof(ActionUnitPrior));
        CheckLandmarks(privileged, visible);
    }

    /// <summary>(B) bool on the landmarks' device, true where a sample's landmarks break the prior's rule
    /// (non-finite visible coordinates, unit or frame mistakes: see <see cref="PalFunctional.landmark_heatmap"/>),
    /// with no host read; <see cref="PalObjective"/> folds it into its one read per step.</summary>
    /// <param name="landmarks">(B,68,2) landmarks.</param>
    /// <param name="visible">Optional (B,68) visibility.</param>
    public Tensor Violations(Tensor landmarks, Tensor? visible)
    {
        using var scope = NewDisposeScope();
        var shown = visible ?? ones(landmarks.shape[0], landmarks.shape[1], ScalarType.Bool, landmarks.device);
        return LandmarkChecks.Violations(landmarks, shown, ImageHeight, ImageWidth).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _cache?.Dispose();
        }

        base.Dispose(disposing);
    }

    private static void CheckGrid(LayerGrid grid)
    {
        ArgumentNullException.ThrowIfNull(grid);
        if (grid.IsDerivedFromModel)
        {
            throw new ArgumentException(
                "LayerGrid.FromModel is resolved by PalObjective from its model; here pass the grid itself " +
                "(LayerGrid.Probe(model, layer, images)).", nameof(grid));
        }
    }

    /// <summary>Every check of a direct render call: shapes, dtypes and devices, then the values (in host memory).
    /// </summary>
    private void CheckArguments(Tensor landmarks, Tensor? labels, Tensor? visible, long outputHeight,
        long outputWidth)
    {
        CheckLandmarks(landmarks, visible);
        if (labels is not null)
        {
            CheckLabels(labels, landmarks);
        }

        Positive(outputHeight, nameof(outputHeight));
        Positive(outputWidth, nameof(outputWidth));
        PalFunctional.CheckLandmarkValues(landmarks, visible, ImageHeight, ImageWidth);
        if (labels is not null)
        {
            CheckLabelValues(labels);
        }
    }

    private static void CheckLandmarks(Tensor landmarks, Tensor? visible)
    {
        PalFunctional.CheckLandmarkShapes(landmarks, visible);
        if (landmarks.shape[1] != LandmarkRegions.Ibug68Count)
        {
            throw new ArgumentException(
                $"Action units are located on the 68 iBUG landmarks: {nameof(landmarks)} must have shape (B,68,2); " +
                $"got {Shape(landmarks)}.", nameof(landmarks));
        }
    }

    private static void CheckLabels(Tensor labels, Tensor landmarks)
    {
        NotNull(labels, nameof(labels));
        Dtype(labels, nameof(labels), ScalarType.Int64);
        Rank(labels, nameof(labels), 1, "(B)");
        Batch(labels, nameof(labels), landmarks.shape[0], nameof(landmarks));
        SameDevice(labels, nameof(labels), landmarks, nameof(landmarks));
    }

    /// <summary>Labels in [0, <see cref="ClassCount"/>); reads the values, so in host memory only.</summary>
    private void CheckLabelValues(Tensor labels)
    {
        if (labels.device_type != DeviceType.CPU)
        {
            return;
        }

        using var scope = NewDisposeScope();
        var (min, max) = labels.aminmax();
        var (low, high) = (min.item<long>(), max.item<long>());
        if (low < 0 || high >= ClassCount)
        {
            throw new ArgumentOutOfRangeException(nameof(labels),
                $"{nameof(labels)} must hold class indices in [0, {ClassCount}), the prior's classes " +
                $"({string.Join(", ", _classes.Select((e, i) => $"{i} {e}"))}); got values in [{low}, {high}].");
        }
    }

    /// <summary>The map of checked arguments on <paramref name="grid"/> (null: spanning the image).</summary>
    private Tensor RenderOnGrid(Tensor landmarks, Tensor? labels, long outputHeight, long outputWidth, LayerGrid? grid,
        Tensor? visible)
    {
        var (rows, columns) = grid is null
            ? (AxisMap.Spanning(ImageHeight, outputHeight), AxisMap.Spanning(ImageWidth, outputWidth))
            : (grid.RowMap, grid.ColumnMap);
        return RenderChecked(landmarks, labels, rows, columns, outputHeight, outputWidth, visible);
    }

    /// <summary>The map of checked arguments (labels null: every class's points), with no host read.</summary>
    private Tensor RenderChecked(Tensor landmarks, Tensor? labels, AxisMap rows, AxisMap columns, long outputHeight,
        long outputWidth, Tensor? visible)
    {
        using var scope = NewDisposeScope();
        var batch = landmarks.shape[0];
        var computeType = ComputeType(landmarks.dtype);
        var codebook = Tensors(landmarks.device, computeType);
        var shown = visible ?? ones(batch, landmarks.shape[1], ScalarType.Bool, landmarks.device);
        // Hidden landmarks may hold NaN: replace them before any arithmetic so that nothing leaks into a shown point.
        var points = landmarks.to(computeType);
        points = where(shown.unsqueeze(-1), points, zeros_like(points));
        // Anchors: (P,68) weights × (B,68,2) landmarks → (B,P,2). Offsets: across·e + down·n, n = (−e_y, e_x).
        var anchors = codebook.Weights.matmul(points);
        var eyeLine = points.select(1, EyeLineEnd) - points.select(1, EyeLineStart);
        var towardsChin = stack([eyeLine.select(1, 1).neg(), eyeLine.select(1, 0)], 1);
        // Plus rather than +, whose alpha = 1 would be a Scalar left to the finalizer (ExplicitScalars).
        var located = anchors.Plus(codebook.Across * eyeLine.unsqueeze(1))
            .Plus(codebook.Down * towardsChin.unsqueeze(1));
        var hidden = (shown.logical_not().unsqueeze(1) & codebook.DependsOn.unsqueeze(0)).any(2);
        var member = labels is null
            ? codebook.Membership.any(0).unsqueeze(0).expand(batch, -1)
            : codebook.Membership.index_select(0, labels);
        var drawn = member & hidden.logical_not();
        return PalFunctional.LandmarkHeatmapOfChecked(located, rows, columns, outputHeight, outputWidth, Sigma,
            drawn, Combine).to(landmarks.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>The codebook as tensors on <paramref name="device"/> in <paramref name="dtype"/>, made once rather
    /// than every call.</summary>
    private CodebookTensors Tensors(Device device, ScalarType dtype)
    {
        if (_cache is { } cached && cached.Weights.device_type == device.type &&
            cached.Weights.device_index == device.index && cached.Weights.dtype == dtype)
        {
            return cached;
        }

        _cache?.Dispose();
        var count = _points.Length;
        var weights = new double[count, LandmarkRegions.Ibug68Count];
        var dependsOn = new bool[count, LandmarkRegions.Ibug68Count];
        var across = new double[count, 1];
        var down = new double[count, 1];
        for (var p = 0; p < count; p++)
        {
            var point = _points[p];
            foreach (var index in point.Landmarks)
            {
                weights[p, index] = 1.0 / point.Landmarks.Count;
            }

            foreach (var index in point.DependsOn)
            {
                dependsOn[p, index] = true;
            }

            (across[p, 0], down[p, 0]) = (point.Across, point.Down);
        }

        using var scope = NewDisposeScope();
        _cache = new CodebookTensors(
            tensor(weights).to(dtype, device).DetachFromDisposeScope(),
            tensor(across).to(dtype, device).DetachFromDisposeScope(),
            tensor(down).to(dtype, device).DetachFromDisposeScope(),
            tensor(dependsOn).to(device).DetachFromDisposeScope(),
            tensor(_membership).to(device).DetachFromDisposeScope());
        return _cache;
    }

    /// <summary>The codebook's P distinct points as tensors: Weights (P,68) (each point's landmark mean), Across and
    /// Down (P,1) offsets, DependsOn (P,68) bool, Membership (C,P) bool (which points each class draws).</summary>
    private sealed record CodebookTensors(Tensor Weights, Tensor Across, Tensor Down, Tensor DependsOn,
        Tensor Membership) : IDisposable
    {
        public void Dispose()
        {
            Weights.Dispose();
            Across.Dispose();
            Down.Dispose();
            DependsOn.Dispose();
            Membership.Dispose();
        }
    }
}
