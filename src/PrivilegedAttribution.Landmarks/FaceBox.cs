using System.Diagnostics.CodeAnalysis;

namespace PrivilegedAttribution.Landmarks;

/// <summary>
/// A face box as dlib's <c>rectangle</c>: integer pixel corners, both inclusive, so the width is
/// <c>Right − Left + 1</c>. It may extend past the image; pixels the predictor looks up outside read as 0, as in
/// dlib. The predictor maps the box's top-left corner to (0, 0) and its bottom-right corner to (1, 1) of the
/// model's normalised shape space.
/// </summary>
/// <remarks>
/// A box is at least one pixel wide and high (<c>Right ≥ Left</c>, <c>Bottom ≥ Top</c>: an inverted or empty box
/// is rejected) and every coordinate lies within ±<see cref="MaxCoordinate"/>. Against a given image,
/// <see cref="FitsImage"/> adds that the box overlaps the image and is at most <see cref="MaxImageMultiple"/> times
/// the image's larger side wide and high; the predictor enforces both.
/// </remarks>
public readonly record struct FaceBox
{
    /// <summary>
    /// The largest magnitude of a coordinate, <c>int.MaxValue</c> = 2³¹ − 1: an image's pixel indices are
    /// <see cref="int"/>s, so a coordinate beyond is no place in any image (it comes from a unit mistake or an
    /// overflow, e.g. 1e30 saturated to ±9.2e18). Within it, widths, heights and the predictor's double arithmetic
    /// are exact and cannot overflow.
    /// </summary>
    public const long MaxCoordinate = int.MaxValue;

    /// <summary>
    /// How many times the image's larger side a box may be wide or high: 16. dlib's detector never returns a box
    /// much larger than the image, the reference cases go up to about 8 (a 501-pixel box around a 64-pixel image);
    /// a larger box sees the image as a speck of its pixels, so its landmarks are the model's mean shape, not a face.
    /// </summary>
    public const int MaxImageMultiple = 16;

    /// <summary>A box from its corners, both inclusive.</summary>
    /// <param name="Left">Column of the left edge.</param>
    /// <param name="Top">Row of the top edge.</param>
    /// <param name="Right">Column of the right edge (inclusive), at least <paramref name="Left"/>.</param>
    /// <param name="Bottom">Row of the bottom edge (inclusive), at least <paramref name="Top"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A coordinate is beyond ±<see cref="MaxCoordinate"/>, or the box
    /// is inverted or empty (<paramref name="Right"/> &lt; <paramref name="Left"/> or <paramref name="Bottom"/> &lt;
    /// <paramref name="Top"/>).</exception>
    [SuppressMessage("Style", "IDE1006", Justification = "The names of the former positional record, kept for " +
        "callers that name the arguments.")]
    public FaceBox(long Left, long Top, long Right, long Bottom)
    {
        if (Problem(Left, Top, Right, Bottom) is { } problem)
        {
            throw new ArgumentOutOfRangeException(problem.Argument, problem.Actual, problem.Message);
        }

        this.Left = Left;
        this.Top = Top;
        this.Right = Right;
        this.Bottom = Bottom;
    }

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

    /// <summary>Column of the left edge.</summary>
    public long Left { get; }

    /// <summary>Row of the top edge.</summary>
    public long Top { get; }

    /// <summary>Column of the right edge (inclusive).</summary>
    public long Right { get; }

    /// <summary>Row of the bottom edge (inclusive).</summary>
    public long Bottom { get; }

    /// <summary>Width in pixels (<c>Right − Left + 1</c>).</summary>
    public long Width => Right - Left + 1;

    /// <summary>Height in pixels (<c>Bottom − Top + 1</c>).</summary>
    public long Height => Bottom - Top + 1;

    /// <summary>The corners, as the former positional record gave them.</summary>
    [SuppressMessage("Style", "IDE1006", Justification = "The names of the former positional record.")]
    public void Deconstruct(out long Left, out long Top, out long Right, out long Bottom) =>
        (Left, Top, Right, Bottom) = (this.Left, this.Top, this.Right, this.Bottom);

    /// <summary>A box from its top-left corner and size, as most detectors and datasets give it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The size is not positive, or a corner is beyond
    /// ±<see cref="MaxCoordinate"/>.</exception>
    public static FaceBox FromXywh(long x, long y, long width, long height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        CheckEdge(x, nameof(x), x, "x");
        CheckEdge(y, nameof(y), y, "y");
        // In 128 bits: a width near long.MaxValue must be reported, not wrapped around.
        CheckEdge((Int128)x + width - 1, nameof(width), width, $"The right edge x + width − 1 (x = {x})");
        CheckEdge((Int128)y + height - 1, nameof(height), height, $"The bottom edge y + height − 1 (y = {y})");
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

    /// <summary>
    /// Whether the box can frame a face in an image of this size: it overlaps the image by at least one pixel and
    /// is at most <see cref="MaxImageMultiple"/> times the image's larger side wide and high. A box that misses
    /// the image or dwarfs it gives the model's mean shape wherever the box is, never a face's landmarks.
    /// </summary>
    /// <param name="imageWidth">The image's width in pixels.</param>
    /// <param name="imageHeight">The image's height in pixels.</param>
    /// <param name="reason">Why it does not fit (the box, the image size and the rule broken); null when it
    /// fits.</param>
    public bool FitsImage(int imageWidth, int imageHeight, [NotNullWhen(false)] out string? reason)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(imageWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(imageHeight);
        var limit = (long)MaxImageMultiple * Math.Max(imageWidth, imageHeight);
        reason = Problem(Left, Top, Right, Bottom)?.Message
            ?? (Right < 0 || Left >= imageWidth || Bottom < 0 || Top >= imageHeight
                ? $"The box {this} does not overlap the {imageWidth}×{imageHeight} image: expected Left ≤ " +
                  $"{imageWidth - 1}, Right ≥ 0, Top ≤ {imageHeight - 1} and Bottom ≥ 0."
                : Width > limit || Height > limit
                    ? $"The box {this} is {Width}×{Height} pixels: expected at most {limit}, " +
                      $"{MaxImageMultiple} (FaceBox.MaxImageMultiple) times the {imageWidth}×{imageHeight} image's " +
                      "larger side."
                    : null);
        return reason is null;
    }

    /// <inheritdoc />
    public override string ToString() => $"[{Left}, {Top}, {Right}, {Bottom}]";

    /// <summary>What makes these corners no box, or null: a coordinate beyond ±<see cref="MaxCoordinate"/>, or an
    /// inverted or empty extent.</summary>
    internal static (string Argument, long Actual, string Message)? Problem(long left, long top, long right,
        long bottom)
    {
        if ((Beyond(nameof(Left), left) ?? Beyond(nameof(Top), top) ?? Beyond(nameof(Right), right) ??
                Beyond(nameof(Bottom), bottom)) is { } beyond)
        {
            return beyond;
        }

        if (right < left)
        {
            return (nameof(Right), right, $"Right must be at least Left = {left} (edges are inclusive: a box is at " +
                $"least one pixel wide); got Right = {right}, a width of {right - left + 1}.");
        }

        if (bottom < top)
        {
            return (nameof(Bottom), bottom, $"Bottom must be at least Top = {top} (edges are inclusive: a box is at " +
                $"least one pixel high); got Bottom = {bottom}, a height of {bottom - top + 1}.");
        }

        return null;
    }

    private static (string Argument, long Actual, string Message)? Beyond(string name, long value) =>
        value is < -MaxCoordinate or > MaxCoordinate
            ? (name, value, $"{name} must lie within ±{MaxCoordinate} (FaceBox.MaxCoordinate); got {value}.")
            : null;

    private static void CheckEdge(Int128 edge, string argument, long actual, string what)
    {
        if (edge < -MaxCoordinate || edge > MaxCoordinate)
        {
            throw new ArgumentOutOfRangeException(argument, actual,
                $"{what} must lie within ±{MaxCoordinate} (FaceBox.MaxCoordinate); got {edge}.");
        }
    }
}
