namespace PrivilegedAttribution;

/// <summary>
/// Where each cell of a layer's map sits on the input image: cell (i, j) is centred on input pixel
/// (<see cref="OffsetY"/> + <see cref="StrideY"/>·i, <see cref="OffsetX"/> + <see cref="StrideX"/>·j), pixel centres
/// being integers. <see cref="PalObjective"/> renders a layer's heatmap on this grid, with σ in cells = σ / stride.
/// </summary>
/// <remarks>
/// By default (<see cref="PalLayer.Grid"/> null) a layer's grid is taken to span the image evenly, as the paper's
/// resized heatmap does: stride = image size / map size, offset = stride/2 − ½ (see
/// <see cref="PalFunctional.landmark_heatmap"/>). That is exact for an input-sized map and close for "same"-padded
/// networks, but not for unpadded or oddly strided convolutions: after an unpadded 5×5 convolution (28 → 24) cell j is
/// centred on pixel j + 2, not on (j + ½)·28/24 − ½, up to two cells away at the borders. Declare the grid
/// (<see cref="LayerGrid(double, double)"/>, from the layers' kernels, strides and paddings) or let
/// <see cref="FromModel"/> derive it from the model.
/// </remarks>
/// <example><code>
/// new PalLayer("conv2", 1.0) { Grid = new LayerGrid(stride: 1, offset: 4) };  // two unpadded 5×5 convolutions
/// new PalLayer("conv2", 1.0) { Grid = LayerGrid.FromModel };                   // derived on the first batch
/// </code></example>
public sealed record LayerGrid
{
    /// <summary>A grid with its own stride and offset per axis, in input pixels.</summary>
    /// <param name="strideY">Input pixels between two rows of cells (&gt; 0).</param>
    /// <param name="strideX">Input pixels between two columns of cells (&gt; 0).</param>
    /// <param name="offsetY">The input row on which cell row 0 is centred.</param>
    /// <param name="offsetX">The input column on which cell column 0 is centred.</param>
    public LayerGrid(double strideY, double strideX, double offsetY, double offsetX)
    {
        PositiveFinite(strideY, nameof(strideY));
        PositiveFinite(strideX, nameof(strideX));
        if (!double.IsFinite(offsetY))
        {
            throw new ArgumentOutOfRangeException(nameof(offsetY), offsetY, $"{nameof(offsetY)} must be finite.");
        }

        if (!double.IsFinite(offsetX))
        {
            throw new ArgumentOutOfRangeException(nameof(offsetX), offsetX, $"{nameof(offsetX)} must be finite.");
        }

        (StrideY, StrideX, OffsetY, OffsetX) = (strideY, strideX, offsetY, offsetX);
    }

    /// <summary>The same stride and offset on both axes.</summary>
    /// <param name="stride">Input pixels between two neighbouring cells (&gt; 0).</param>
    /// <param name="offset">The input pixel on which cell 0 is centred.</param>
    public LayerGrid(double stride, double offset)
        : this(stride, stride, offset, offset)
    {
    }

    private LayerGrid()
    {
        IsDerivedFromModel = true;
    }

    /// <summary>Derive the grid from the model on the first batch (<see cref="Probe"/>), then keep it.</summary>
    public static LayerGrid FromModel { get; } = new();

    /// <summary>Input pixels between two rows of cells.</summary>
    public double StrideY { get; }

    /// <summary>Input pixels between two columns of cells.</summary>
    public double StrideX { get; }

    /// <summary>The input row on which cell row 0 is centred.</summary>
    public double OffsetY { get; }

    /// <summary>The input column on which cell column 0 is centred.</summary>
    public double OffsetX { get; }

    /// <summary>Whether this is <see cref="FromModel"/>, a request rather than a grid.</summary>
    public bool IsDerivedFromModel { get; }

    /// <summary>The grid a map of <paramref name="outputHeight"/>×<paramref name="outputWidth"/> has when it spans an
    /// image of <paramref name="imageHeight"/>×<paramref name="imageWidth"/> evenly (the default).</summary>
    public static LayerGrid Spanning(long imageHeight, long imageWidth, long outputHeight, long outputWidth)
    {
        Positive(imageHeight, nameof(imageHeight));
        Positive(imageWidth, nameof(imageWidth));
        Positive(outputHeight, nameof(outputHeight));
        Positive(outputWidth, nameof(outputWidth));
        var (sy, sx) = ((double)imageHeight / outputHeight, (double)imageWidth / outputWidth);
        return new LayerGrid(sy, sx, sy / 2 - 0.5, sx / 2 - 0.5);
    }

    /// <summary>
    /// Derives the grid of <paramref name="layerName"/>'s output from the model: the receptive field of a cell is where
    /// the input gradient of that cell is non-zero (over a batch of random inputs, in eval mode), and its centre is
    /// the middle of that field; two neighbouring cells give the stride. Exact for networks of convolutions and
    /// pooling, whatever their padding and strides. The forward pass stops at the layer, so the layers after it never
    /// run, and the input is enlarged as needed so that the measured cells' fields are not cut by its border.
    /// </summary>
    /// <param name="model">The model; its training mode is restored afterwards and its gradients are untouched.</param>
    /// <param name="layerName">The layer's name in <c>named_modules()</c>.</param>
    /// <param name="images">A batch of the model's inputs (B,C,H,W): only its channels, size, dtype and device are
    /// used.</param>
    /// <exception cref="ArgumentException">No such layer, or its output is not (B,C,h,w).</exception>
    /// <exception cref="InvalidOperationException">The layer's cells are not on a regular grid of the input (a model
    /// that is not translation-equivariant up to that layer, e.g. with position embeddings): declare the grid.
    /// </exception>
    public static LayerGrid Probe(nn.Module<Tensor, Tensor> model, string layerName, Tensor images) =>
        ReceptiveFieldProbe.Grid(model, layerName, images);

    /// <summary>Where cell row i is centred: (y − <see cref="OffsetY"/>)/<see cref="StrideY"/> maps input row y to
    /// cell rows.</summary>
    internal AxisMap RowMap => AxisMap.ToCells(StrideY, OffsetY);

    /// <summary>Maps input columns to cell columns.</summary>
    internal AxisMap ColumnMap => AxisMap.ToCells(StrideX, OffsetX);

    /// <inheritdoc />
    public override string ToString() => IsDerivedFromModel
        ? "LayerGrid.FromModel"
        : $"LayerGrid(strideY: {StrideY}, strideX: {StrideX}, offsetY: {OffsetY}, offsetX: {OffsetX})";
}

/// <summary>An input coordinate u maps to the map's coordinate (u + <see cref="Before"/>)·<see cref="Scale"/> −
/// <see cref="After"/>; lengths (σ) scale by <see cref="Scale"/>. The spanning map keeps the exact arithmetic of
/// <see cref="PalFunctional.landmark_heatmap"/>'s formula.</summary>
internal readonly record struct AxisMap(double Scale, double Before, double After)
{
    internal static AxisMap Spanning(long inputSize, long outputSize) => new((double)outputSize / inputSize, 0.5, 0.5);

    internal static AxisMap ToCells(double stride, double offset) => new(1.0 / stride, -offset, 0.0);

    internal Tensor Apply(Tensor u) => u.Plus(Before).Times(Scale).Plus(-After);
}
