namespace PrivilegedAttribution;

/// <summary>
/// The rule that keeps a landmark prior from being silently wrong. Landmarks are (x, y) in the pixels of the
/// image the model sees; the common mistakes give maps that look valid but sit in a corner or are all zero:
/// coordinates normalised to [0, 1] (a blob at the origin), the original photo's pixels used with a crop or a
/// resized image (points beyond the frame), or points in another frame altogether. So, per sample, over its
/// visible landmarks:
/// <list type="bullet">
/// <item>Frame: at least half of them must lie on the image, that is within [−½, W − ½] × [−½, H − ½]. Faces cut by
/// the frame keep most points on it; a crop that deliberately leaves most points out should mark them invisible.
/// </item>
/// <item>Unit: when there are two or more and the image is at least <see cref="NormalisedCheckMinSize"/> pixels on
/// each side, they must not all lie within [−1, 1]² (normalised coordinates: a whole face inside two pixels).</item>
/// </list>
/// A sample without visible landmarks is valid (an all-zero map, zero PAL). Like every check that reads values,
/// it runs for tensors in host memory; on an accelerator <see cref="PalObjective.GuardNonFinite"/> runs it.
/// </summary>
internal static class LandmarkChecks
{
    /// <summary>Images smaller than this on a side are exempt from the unit check (tiny test images).</summary>
    internal const long NormalisedCheckMinSize = 8;

    /// <summary>(B) bool, true where a sample breaks the rule or holds a non-finite visible coordinate; computed on
    /// the landmarks' device, no host read.</summary>
    /// <param name="landmarks">(B,K,2) points; masked points may hold anything.</param>
    /// <param name="shown">(B,K) bool.</param>
    /// <param name="imageHeight">Height of the image the landmarks refer to.</param>
    /// <param name="imageWidth">Its width.</param>
    internal static Tensor Violations(Tensor landmarks, Tensor shown, long imageHeight, long imageWidth)
    {
        using var scope = NewDisposeScope();
        var finite = isfinite(landmarks).all(2);
        var points = where((shown & finite).unsqueeze(-1), landmarks, zeros_like(landmarks));
        var x = points.select(2, 0);
        var y = points.select(2, 1);
        var onImage = OnImage(x, y, imageHeight, imageWidth) & shown;
        var visibleCount = shown.sum(1);
        var frame = onImage.sum(1).Times(2L) < visibleCount;
        var insideUnitSquare = (x.abs().AtMost(1.0) & y.abs().AtMost(1.0)) | shown.logical_not();
        var unit = insideUnitSquare.all(1) & visibleCount.AtLeast(2);
        var violations = (finite | shown.logical_not()).all(1).logical_not() | frame;
        if (imageHeight >= NormalisedCheckMinSize && imageWidth >= NormalisedCheckMinSize)
        {
            violations = violations | unit;
        }

        return violations.MoveToOuterDisposeScope();
    }

    /// <summary>Throws an <see cref="ArgumentException"/> describing the first sample that breaks the rule, if any
    /// (reads the values: call it where a host read is acceptable).</summary>
    /// <param name="points">(B,K,2) points, finite where <paramref name="shown"/>.</param>
    /// <param name="shown">(B,K) bool.</param>
    /// <param name="imageHeight">Height of the image the landmarks refer to.</param>
    /// <param name="imageWidth">Its width.</param>
    /// <param name="argumentName">The argument reported.</param>
    internal static void ThrowIfViolated(Tensor points, Tensor shown, long imageHeight, long imageWidth,
        string argumentName)
    {
        using var scope = NewDisposeScope();
        var violations = Violations(points, shown, imageHeight, imageWidth);
        if (!violations.any().item<bool>())
        {
            return;
        }

        var sample = violations.nonzero()[0, 0].item<long>();
        var visible = shown[sample];
        var count = visible.sum().item<long>();
        var kept = points[sample].index_select(0, visible.nonzero().squeeze(1)).to(ScalarType.Float64).cpu();
        var (xs, ys) = (kept.select(1, 0), kept.select(1, 1));
        var span = $"x in [{xs.min().item<double>():G4}, {xs.max().item<double>():G4}], y in " +
                   $"[{ys.min().item<double>():G4}, {ys.max().item<double>():G4}]";
        var onImage = OnImage(xs, ys, imageHeight, imageWidth).sum().item<long>();
        var why = onImage * 2 < count
            ? $"only {onImage} of its {count} visible landmarks lie on the {imageWidth}×{imageHeight} image " +
              $"({span}). Landmarks must be in the pixels of the image the model sees: were they taken on the " +
              "original photo before a crop or resize, or in another frame? Points deliberately outside a crop " +
              "must be marked invisible."
            : $"all {count} visible landmarks lie within [−1, 1]² ({span}) on a {imageWidth}×{imageHeight} image: " +
              "they look normalised. Landmarks are in input-image pixels: multiply x by the width and y by the height.";
        throw new ArgumentException(
            $"{argumentName} of sample {sample} cannot be a prior for this image: {why}", argumentName);
    }

    /// <summary>The batch rule every landmark prior shares: images of the size the landmarks' pixels refer to, and
    /// landmarks with their shape, batch and device checked against the images.</summary>
    /// <param name="images">(B,C,H,W) images.</param>
    /// <param name="landmarks">(B,K,2) landmarks, reported as "landmarks".</param>
    /// <param name="visible">Optional (B,K) visibility.</param>
    /// <param name="imageHeight">The prior's image height.</param>
    /// <param name="imageWidth">The prior's image width.</param>
    /// <param name="priorName">The prior's type, for the message.</param>
    internal static void CheckPriorBatch(Tensor images, Tensor landmarks, Tensor? visible, long imageHeight,
        long imageWidth, string priorName)
    {
        NotNull(images, nameof(images));
        NotNull(landmarks, nameof(landmarks));
        var (height, width) = (images.shape[^2], images.shape[^1]);
        if (height != imageHeight || width != imageWidth)
        {
            throw new ArgumentException(
                $"{nameof(images)} are {height}×{width} but the prior's landmarks refer to " +
                $"{imageHeight}×{imageWidth} images; build the {priorName} with the input size.", nameof(images));
        }

        PalFunctional.CheckLandmarkShapes(landmarks, visible);
        Batch(landmarks, nameof(landmarks), images.shape[0], nameof(images));
        SameDevice(landmarks, nameof(landmarks), images, nameof(images));
    }

    /// <summary>Whether each point lies on the image's pixel area, [−½, W − ½] × [−½, H − ½].</summary>
    private static Tensor OnImage(Tensor x, Tensor y, long imageHeight, long imageWidth) =>
        x.AtLeast(-0.5) & x.AtMost(imageWidth - 0.5) & y.AtLeast(-0.5) & y.AtMost(imageHeight - 0.5);
}
