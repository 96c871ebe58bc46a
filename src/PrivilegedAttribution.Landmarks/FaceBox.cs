namespace PrivilegedAttribution.Landmarks;

/// <summary>
/// A face box as dlib's <c>rectangle</c>: integer pixel corners, both inclusive, so the width is
/// <c>Right − Left + 1</c>. It may extend past the image; pixels the predictor looks up outside read as 0, as in
/// dlib. The predictor maps the box's top-left corner to (0, 0) and its bottom-right corner to (1, 1) of the
/// model's normalised shape space.
/// </summary>
/// <param name="Left">Column of the left edge.</param>
/// <param name="Top">Row of the top edge.</param>
/// <param name="Right">Column of the right edge (inclusive).</param>
/// <param name="Bottom">Row of the bottom edge (inclusive).</param>
public readonly record struct FaceBox(long Left, long Top, long Right, long Bottom)
{
    /// <summary>
    /// The default box for a face crop that is already aligned and tightly framed (RAF-DB's aligned images,
    /// AffectNet's crops), as fractions of the crop's width and height: left, top, right and bottom edges (the
    /// right and bottom fractions are exclusive). Calibrated once (tools/dlib-reference, <c>calibrate</c>): crops
    /// that put the eye centres at (0.32, 0.36) and (0.68, 0.36) of the crop, as RAF-DB's aligned images roughly do,
    /// were made from the two public-domain test faces, and dlib's own frontal-face detector, run on them, returned
    /// the box (0.145, 0.145)–(0.895, 0.895) on both. The predictor was trained on that detector's boxes, so this
    /// is the box it expects.
    /// </summary>
    public static readonly (double Left, double Top, double Right, double Bottom) AlignedCropFractions =
        (0.145, 0.145, 0.895, 0.895);

    /// <summary>Width in pixels (<c>Right − Left + 1</c>).</summary>
    public long Width => Right - Left + 1;

    /// <summary>Height in pixels (<c>Bottom − Top + 1</c>).</summary>
    public long Height => Bottom - Top + 1;

    /// <summary>A box from its top-left corner and size, as most detectors and datasets give it.</summary>
    public static FaceBox FromXywh(long x, long y, long width, long height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        return new FaceBox(x, y, x + width - 1, y + height - 1);
    }

    /// <summary>The box covering a whole <paramref name="width"/>×<paramref name="height"/> image.</summary>
    public static FaceBox WholeImage(int width, int height) => FromXywh(0, 0, width, height);

    /// <summary>
    /// The box dlib's detector would put on an aligned face crop of this size (<see cref="AlignedCropFractions"/>):
    /// use it for datasets whose images are already face crops and that ship no box.
    /// </summary>
    public static FaceBox ForAlignedCrop(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        var f = AlignedCropFractions;
        return new FaceBox(
            (long)Math.Round(f.Left * width), (long)Math.Round(f.Top * height),
            (long)Math.Round(f.Right * width) - 1, (long)Math.Round(f.Bottom * height) - 1);
    }

    /// <inheritdoc />
    public override string ToString() => $"[{Left}, {Top}, {Right}, {Bottom}]";
}
