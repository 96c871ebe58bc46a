using PrivilegedAttribution.Landmarks.Datasets;

namespace PrivilegedAttribution.Landmarks;

/// <summary>
/// The region of a source image that becomes a network's input, and the map that carries landmarks with it: a crop
/// is resampled to an output size, and a landmark at (x, y) in the source lands where the same image content lands.
/// Coordinates are continuous source pixels (pixel i spans [i, i + 1)); landmarks use pixel centres at integers, as
/// <see cref="ShapePredictor"/> and the heatmap priors do, so a landmark (x, y) maps to
/// x' = (x + ½ − <see cref="Left"/>)·outputWidth / <see cref="Width"/> − ½ (and likewise in y).
/// </summary>
/// <example><code>
/// var crop = FaceCrop.AroundBox(box);                       // a square of 1.25 × the box's larger side
/// var points = crop.MapLandmarks(landmarks, 112, 112);      // (x, y) pairs in the 112×112 input's pixels
/// </code></example>
public readonly record struct FaceCrop
{
    /// <summary>The margin <see cref="AroundBox"/> uses by default: the crop's side is 1.25 × the box's larger side,
    /// so that the jaw and brows a detector's box cuts off stay in the image.</summary>
    public const double DefaultMargin = 1.25;

    /// <summary>A crop of the source region [left, left + width) × [top, top + height).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A coordinate is not finite, or a size is not positive.
    /// </exception>
    public FaceCrop(double left, double top, double width, double height)
    {
        if (!double.IsFinite(left))
        {
            throw new ArgumentOutOfRangeException(nameof(left), left, "The crop's left edge must be finite.");
        }

        if (!double.IsFinite(top))
        {
            throw new ArgumentOutOfRangeException(nameof(top), top, "The crop's top edge must be finite.");
        }

        if (!(width > 0) || !double.IsFinite(width))
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, "The crop's width must be positive.");
        }

        if (!(height > 0) || !double.IsFinite(height))
        {
            throw new ArgumentOutOfRangeException(nameof(height), height, "The crop's height must be positive.");
        }

        (Left, Top, Width, Height) = (left, top, width, height);
    }

    /// <summary>Left edge in source pixels (may be negative: the crop may reach past the image, which is then
    /// padded).</summary>
    public double Left { get; }

    /// <summary>Top edge in source pixels.</summary>
    public double Top { get; }

    /// <summary>Width in source pixels.</summary>
    public double Width { get; }

    /// <summary>Height in source pixels.</summary>
    public double Height { get; }

    /// <summary>The whole <paramref name="width"/>×<paramref name="height"/> image (an aligned face crop, such as
    /// RAF-DB's aligned images, is used whole).</summary>
    public static FaceCrop WholeImage(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        return new FaceCrop(0, 0, width, height);
    }

    /// <summary>A square centred on <paramref name="box"/> whose side is <paramref name="margin"/> × the box's larger
    /// side.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="margin"/> is not positive and finite.</exception>
    public static FaceCrop AroundBox(FaceBox box, double margin = DefaultMargin)
    {
        if (!(margin > 0) || !double.IsFinite(margin))
        {
            throw new ArgumentOutOfRangeException(nameof(margin), margin, "The margin must be positive and finite.");
        }

        var side = margin * Math.Max(box.Width, box.Height);
        return new FaceCrop(box.Left + box.Width / 2.0 - side / 2, box.Top + box.Height / 2.0 - side / 2, side, side);
    }

    /// <summary>The crop a dataset record asks for: <see cref="AroundBox"/> its face box when it has one, else the
    /// <paramref name="imageWidth"/>×<paramref name="imageHeight"/> image whole (an aligned crop).</summary>
    public static FaceCrop For(FaceRecord record, int imageWidth, int imageHeight)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.Box is { } box ? AroundBox(box) : WholeImage(imageWidth, imageHeight);
    }

    /// <summary>Where the source landmark (<paramref name="x"/>, <paramref name="y"/>) lands in the
    /// <paramref name="outputWidth"/>×<paramref name="outputHeight"/> output.</summary>
    public (double X, double Y) MapPoint(double x, double y, int outputWidth, int outputHeight)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputHeight);
        return ((x + 0.5 - Left) * outputWidth / Width - 0.5, (y + 0.5 - Top) * outputHeight / Height - 0.5);
    }

    /// <summary>Maps (x, y) pairs (e.g. the 136 values of 68 landmarks) from the source into the
    /// <paramref name="outputWidth"/>×<paramref name="outputHeight"/> output; a new array.</summary>
    /// <exception cref="ArgumentException"><paramref name="landmarks"/> holds an odd number of values.</exception>
    public float[] MapLandmarks(ReadOnlySpan<float> landmarks, int outputWidth, int outputHeight)
    {
        if (landmarks.Length % 2 != 0)
        {
            throw new ArgumentException(
                $"Landmarks are (x, y) pairs: expected an even number of values, got {landmarks.Length}.",
                nameof(landmarks));
        }

        var mapped = new float[landmarks.Length];
        for (var k = 0; k < landmarks.Length; k += 2)
        {
            var (x, y) = MapPoint(landmarks[k], landmarks[k + 1], outputWidth, outputHeight);
            (mapped[k], mapped[k + 1]) = ((float)x, (float)y);
        }

        return mapped;
    }
}
