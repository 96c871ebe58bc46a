namespace PrivilegedAttribution;

/// <summary>
/// Landmark-aware data augmentation: one call transforms a batch of images together with its privileged
/// information (landmarks, their visibility and an optional mask prior), so that the prior can never drift away
/// from the face it describes. Batched, on the tensors' device, with no host read.
/// </summary>
/// <remarks>
/// <para>Per sample, a random resized crop, rotation, translation and horizontal flip form one affine map
/// p_out = A·p_in + t in pixel coordinates (pixel centres are integers, the image spans [−½, W − ½] × [−½, H − ½]).
/// The image and the mask are resampled once through it (bilinear, <c>grid_sample</c> with
/// <c>align_corners = false</c>, whose normalised coordinates share that half-pixel convention); the landmarks are
/// mapped exactly. A map that mirrors (det A &lt; 0) also reorders the landmarks by the mirror permutation, so that
/// index 36 stays the outer corner of the image-left eye. A landmark mapped outside the image is marked invisible
/// and keeps its coordinates; it is never clamped onto the border.</para>
/// <para>Colour jitter and random erasing follow the warp and change the image only (see
/// <see cref="RandomErasingOptions"/> for what erasing does to landmarks).</para>
/// <para>Every random number comes from one draw of (B, 16) uniforms from the given generator, so a seed fixes
/// the whole result and every sample gets its own parameters. A generator in host memory works for images on an
/// accelerator (its draws are copied to the device, never read back); a generator on another accelerator is an
/// error.</para>
/// </remarks>
/// <example><code>
/// var augment = new LandmarkAugmentation(LandmarkAugmentationOptions.FacialExpression);
/// var generator = new Generator(seed: 42, device: images.device);
/// using var scope = torch.NewDisposeScope();
/// var batch = augment.Apply(images, landmarks, visible, generator: generator);
/// var heatmap = PalFunctional.landmark_heatmap(batch.Landmarks, 112, 112, 14, 14, sigma: 6,
///     visible: batch.Visible);
/// </code></example>
public sealed class LandmarkAugmentation
{
    private const int DrawsPerSample = 16;

    // Columns of the (B, 16) uniform draws.
    private const int AreaDraw = 0, RatioDraw = 1, CentreXDraw = 2, CentreYDraw = 3, ShiftXDraw = 4, ShiftYDraw = 5;
    private const int RotationDraw = 6, FlipDraw = 7, BrightnessDraw = 8, ContrastDraw = 9, SaturationDraw = 10;
    private const int EraseDraw = 11, EraseAreaDraw = 12, EraseRatioDraw = 13, EraseXDraw = 14, EraseYDraw = 15;

    private static readonly double[] GreyWeights = [0.299, 0.587, 0.114];

    /// <summary>Creates the augmentation.</summary>
    /// <param name="options">What to apply; every part is validated here.</param>
    public LandmarkAugmentation(LandmarkAugmentationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Affine?.Validate(nameof(options) + "." + nameof(options.Affine));
        options.ColorJitter?.Validate(nameof(options) + "." + nameof(options.ColorJitter));
        options.Erasing?.Validate(nameof(options) + "." + nameof(options.Erasing));
        if (!(options.FlipProbability >= 0 && options.FlipProbability <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.FlipProbability,
                $"{nameof(options)}.{nameof(options.FlipProbability)} must lie in [0, 1]; got " +
                $"{options.FlipProbability}.");
        }

        if (options.Mirror is not null)
        {
            LandmarkMirror.CheckPermutation(options.Mirror, options.Mirror.Count,
                nameof(options) + "." + nameof(options.Mirror));
        }

        Options = options;
    }

    /// <summary>What this augmentation applies.</summary>
    public LandmarkAugmentationOptions Options { get; }

    /// <summary>Augments a batch: images and privileged information move together.</summary>
    /// <param name="images">(B,C,H,W) floating-point images (in [0, 1] when colour jitter clamps).</param>
    /// <param name="landmarks">(B,K,2) floating-point (x, y) in input pixels, pixel centres at integers, on the
    /// images' device. With flips enabled, K must be 68 unless <see cref="LandmarkAugmentationOptions.Mirror"/> is
    /// given.</param>
    /// <param name="visible">Optional (B,K) bool visibility; all visible when null. Invisible points may hold NaN.
    /// </param>
    /// <param name="mask">Optional (B,1,H,W) floating-point mask prior, warped with the image (zero outside).
    /// </param>
    /// <param name="generator">The source of randomness; the default generator of the images' device when null.
    /// </param>
    /// <returns>The augmented batch, its tensors in the caller's dispose scope: images in their dtype, landmarks in
    /// theirs, the mask in its own, and the forward transform (B,2,3) in the landmarks' compute dtype.</returns>
    public AugmentedBatch Apply(
        Tensor images,
        Tensor landmarks,
        Tensor? visible = null,
        Tensor? mask = null,
        Generator? generator = null)
    {
        CheckBatch(images, landmarks, visible, mask);
        var (batch, channels, height, width) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3]);
        if (Options.ColorJitter is { Saturation: > 0 } && channels != 3)
        {
            throw new ArgumentException(
                $"{nameof(images)} has {channels} channels (shape {Shape(images)}); saturation jitter needs 3 (RGB). " +
                $"Set {nameof(ColorJitterOptions)}.{nameof(ColorJitterOptions.Saturation)} to 0.", nameof(images));
        }

        var mirror = Options.FlipProbability > 0
            ? ResolveMirror(Options.Mirror, landmarks.shape[1], "options." + nameof(Options.Mirror))
            : null;
        if (generator is not null && generator.device.type != DeviceType.CPU &&
            (generator.device.type != images.device_type || generator.device.index != images.device_index))
        {
            throw new ArgumentException(
                $"{nameof(generator)} must be in host memory or on the images' device ({images.device}); got " +
                $"{generator.device}.", nameof(generator));
        }

        using var scope = NewDisposeScope();
        var computeType = ComputeType(landmarks.dtype);
        var draws = rand(batch, DrawsPerSample, ScalarType.Float32, generator?.device ?? images.device,
            generator: generator).to(computeType, images.device);
        var transform = DrawTransform(draws, height, width);
        var augmented = WarpChecked(images, landmarks, transform, visible, mask, mirror, Options.Padding);
        var output = augmented.Images;
        if (Options.ColorJitter is { } jitter)
        {
            output = Jitter(output, draws, jitter);
        }

        var shown = augmented.Visible;
        if (Options.Erasing is { } erasing)
        {
            (output, shown) = Erase(output, augmented.Landmarks, shown, draws, erasing);
        }

        return new AugmentedBatch(output.MoveToOuterDisposeScope(), augmented.Landmarks.MoveToOuterDisposeScope(),
            shown.MoveToOuterDisposeScope(), augmented.Mask?.MoveToOuterDisposeScope(),
            transform.MoveToOuterDisposeScope());
    }

    /// <summary>Applies a given affine map to a batch: the image and mask are resampled, the landmarks mapped and
    /// mirrored where the map mirrors, points moved off the image made invisible. <see cref="Apply"/> uses it with
    /// random maps; call it with the inverse of <see cref="AugmentedBatch.Transform"/> to undo an augmentation.
    /// </summary>
    /// <param name="images">(B,C,H,W) floating-point images; the output has the same size.</param>
    /// <param name="landmarks">(B,K,2) floating-point (x, y) in input pixels, on the images' device.</param>
    /// <param name="transform">(B,2,3) floating-point forward map [A | t] from input to output pixels,
    /// p_out = A·p_in + t, with A invertible; on the images' device.</param>
    /// <param name="visible">Optional (B,K) bool visibility; all visible when null.</param>
    /// <param name="mask">Optional (B,1,H,W) floating-point mask prior (zero outside the image).</param>
    /// <param name="mirror">The left/right landmark permutation applied to samples whose map mirrors
    /// (det A &lt; 0); null means <see cref="LandmarkMirror.Ibug68"/>, which requires K = 68. For points with no
    /// left/right sides pass the identity.</param>
    /// <param name="padding">What the image is sampled as outside its border.</param>
    /// <returns>The warped batch; <see cref="AugmentedBatch.Transform"/> is <paramref name="transform"/> in the
    /// landmarks' compute dtype.</returns>
    /// <example><code>
    /// // Undo an augmentation: invert [A | t] as a 3×3 matrix.
    /// var forward = cat([batch.Transform, tensor(new double[] { 0, 0, 1 }).expand(b, 1, 3)], 1);
    /// var inverse = linalg.inv(forward)[.., ..2];
    /// var restored = LandmarkAugmentation.Warp(batch.Images, batch.Landmarks, inverse, batch.Visible);
    /// </code></example>
    public static AugmentedBatch Warp(
        Tensor images,
        Tensor landmarks,
        Tensor transform,
        Tensor? visible = null,
        Tensor? mask = null,
        IReadOnlyList<int>? mirror = null,
        GridSamplePaddingMode padding = GridSamplePaddingMode.Zeros)
    {
        CheckBatch(images, landmarks, visible, mask);
        NotNull(transform, nameof(transform));
        Floating(transform, nameof(transform));
        if (transform.dim() != 3 || transform.shape[0] != images.shape[0] || transform.shape[1] != 2 ||
            transform.shape[2] != 3)
        {
            throw new ArgumentException(
                $"{nameof(transform)} must have shape [{images.shape[0]}, 2, 3] (one [A | t] per image of " +
                $"{nameof(images)} {Shape(images)}); got {Shape(transform)}.", nameof(transform));
        }

        SameDevice(transform, nameof(transform), images, nameof(images));
        var permutation = ResolveMirror(mirror, landmarks.shape[1], nameof(mirror));
        using var scope = NewDisposeScope();
        var result = WarpChecked(images, landmarks, transform.to(ComputeType(landmarks.dtype)), visible, mask,
            permutation, padding);
        return new AugmentedBatch(result.Images.MoveToOuterDisposeScope(),
            result.Landmarks.MoveToOuterDisposeScope(), result.Visible.MoveToOuterDisposeScope(),
            result.Mask?.MoveToOuterDisposeScope(), result.Transform.MoveToOuterDisposeScope());
    }

    /// <summary>The forward map [A | t] (B,2,3) of each sample's crop, rotation, translation and flip.</summary>
    private Tensor DrawTransform(Tensor draws, long height, long width)
    {
        var (h, w) = ((double)height, (double)width);
        var batch = draws.shape[0];
        Tensor scaleX, scaleY, centreX, centreY, angle;
        if (Options.Affine is { } affine)
        {
            var area = Between(draws[.., AreaDraw], affine.CropArea.Min, affine.CropArea.Max);
            var ratio = Between(draws[.., RatioDraw], Math.Log(affine.AspectRatio.Min),
                Math.Log(affine.AspectRatio.Max)).exp();
            var cropWidth = (area * ratio).sqrt().Times(w);
            var cropHeight = (area / ratio).sqrt().Times(h);
            scaleX = cropWidth.reciprocal().Times(w);
            scaleY = cropHeight.reciprocal().Times(h);
            // The crop's centre lies where the crop stays inside the image (centred when it is larger), in pixel
            // coordinates, i.e. the crop's edge coordinates shifted by −½.
            centreX = cropWidth.Times(0.5).Plus(-0.5).Plus(draws[.., CentreXDraw] * cropWidth.neg().Plus(w));
            centreY = cropHeight.Times(0.5).Plus(-0.5).Plus(draws[.., CentreYDraw] * cropHeight.neg().Plus(h));
            centreX = centreX.Plus(SignedUnit(draws[.., ShiftXDraw]).Times(affine.Translation * w));
            centreY = centreY.Plus(SignedUnit(draws[.., ShiftYDraw]).Times(affine.Translation * h));
            angle = SignedUnit(draws[.., RotationDraw]).Times(affine.RotationDegrees * Math.PI / 180);
        }
        else
        {
            scaleX = ones_like(draws[.., 0]);
            scaleY = ones_like(scaleX);
            centreX = FullLike(scaleX, (w - 1) / 2);
            centreY = FullLike(scaleX, (h - 1) / 2);
            angle = zeros_like(scaleX);
        }

        var flipped = draws[.., FlipDraw].Below(Options.FlipProbability);
        var sign = flipped.to(draws.dtype).Times(-2.0).Plus(1.0);
        var (cos, sin) = (angle.cos(), angle.sin());
        // A = R(angle)·diag(scaleX, scaleY)·diag(sign, 1): the crop's centre goes to the image's centre.
        var a00 = cos * scaleX * sign;
        var a01 = -sin * scaleY;
        var a10 = sin * scaleX * sign;
        var a11 = cos * scaleY;
        var t0 = (a00 * centreX).Plus(a01 * centreY).neg().Plus((w - 1) / 2);
        var t1 = (a10 * centreX).Plus(a11 * centreY).neg().Plus((h - 1) / 2);
        return stack([a00, a01, t0, a10, a11, t1], 1).reshape(batch, 2, 3);
    }

    /// <summary>The warp of checked arguments; <paramref name="transform"/> is in the landmarks' compute dtype.
    /// </summary>
    private static AugmentedBatch WarpChecked(
        Tensor images,
        Tensor landmarks,
        Tensor transform,
        Tensor? visible,
        Tensor? mask,
        IReadOnlyList<int>? mirror,
        GridSamplePaddingMode padding)
    {
        var (batch, height, width) = (images.shape[0], images.shape[2], images.shape[3]);
        var linear = transform[.., .., ..2];
        var points = landmarks.to(transform.dtype).matmul(linear.transpose(1, 2)).Plus(transform[.., .., 2].unsqueeze(1));
        var shown = visible?.clone() ?? ones(batch, landmarks.shape[1], ScalarType.Bool, landmarks.device);
        if (mirror is not null)
        {
            var determinant = linear[.., 0, 0] * linear[.., 1, 1] - linear[.., 0, 1] * linear[.., 1, 0];
            var mirrored = determinant.Below(0.0);
            var index = tensor(mirror.Select(i => (long)i).ToArray(), ScalarType.Int64, landmarks.device);
            points = where(mirrored.view(-1, 1, 1), points.index_select(1, index), points);
            shown = where(mirrored.view(-1, 1), shown.index_select(1, index), shown);
        }

        var (x, y) = (points[.., .., 0], points[.., .., 1]);
        // On the image: inside its pixel area [−½, W − ½] × [−½, H − ½]; NaN compares false and stays hidden.
        var inside = x.AtLeast(-0.5).logical_and(x.AtMost(width - 0.5)).logical_and(y.AtLeast(-0.5))
            .logical_and(y.AtMost(height - 0.5));
        shown = shown.logical_and(inside);
        var theta = NormalisedInverse(transform, height, width);
        var imageType = ComputeType(images.dtype);
        var grid = nn.functional.affine_grid(theta.to(imageType), [batch, images.shape[1], height, width],
            align_corners: false);
        var warped = nn.functional.grid_sample(images.to(imageType), grid, GridSampleMode.Bilinear, padding,
            align_corners: false).to(images.dtype);
        Tensor? warpedMask = null;
        if (mask is not null)
        {
            var maskType = ComputeType(mask.dtype);
            warpedMask = nn.functional.grid_sample(mask.to(maskType), grid.to(maskType), GridSampleMode.Bilinear,
                GridSamplePaddingMode.Zeros, align_corners: false).to(mask.dtype);
        }

        return new AugmentedBatch(warped, points.to(landmarks.dtype), shown, warpedMask, transform);
    }

    /// <summary>The inverse map (output → input) in grid_sample's normalised coordinates, where pixel x of a W-wide
    /// image is u = (2x + 1)/W − 1 (align_corners = false).</summary>
    private static Tensor NormalisedInverse(Tensor transform, long height, long width)
    {
        var (a00, a01, t0) = (transform[.., 0, 0], transform[.., 0, 1], transform[.., 0, 2]);
        var (a10, a11, t1) = (transform[.., 1, 0], transform[.., 1, 1], transform[.., 1, 2]);
        var determinant = a00 * a11 - a01 * a10;
        var (i00, i01, i10, i11) = (a11 / determinant, -a01 / determinant, -a10 / determinant, a00 / determinant);
        var u0 = (i00 * t0).Plus(i01 * t1).neg();
        var u1 = (i10 * t0).Plus(i11 * t1).neg();
        var (nx, ny) = (2.0 / width, 2.0 / height);
        var (ox, oy) = (1.0 / width - 1, 1.0 / height - 1);
        // u_in = N·(A⁻¹·N⁻¹·(u_out − o) + t⁻¹) + o with N = diag(nx, ny), o = (ox, oy).
        var l00 = i00;
        var l01 = i01.Times(nx / ny);
        var l10 = i10.Times(ny / nx);
        var l11 = i11;
        var offset0 = l00.Times(ox).Plus(l01.Times(oy)).neg().Plus(u0.Times(nx)).Plus(ox);
        var offset1 = l10.Times(ox).Plus(l11.Times(oy)).neg().Plus(u1.Times(ny)).Plus(oy);
        return stack([l00, l01, offset0, l10, l11, offset1], 1).reshape(transform.shape[0], 2, 3);
    }

    private static Tensor Jitter(Tensor images, Tensor draws, ColorJitterOptions jitter)
    {
        var dtype = images.dtype;
        var output = images.to(ComputeType(dtype));
        Tensor Factor(int column, double strength) =>
            SignedUnit(draws[.., column]).Times(strength).Plus(1.0).to(output.dtype).view(-1, 1, 1, 1);

        if (jitter.Brightness > 0)
        {
            output = output * Factor(BrightnessDraw, jitter.Brightness);
        }

        if (jitter.Contrast > 0)
        {
            var mean = (output.shape[1] == 3 ? Grey(output) : output).mean([1, 2, 3], keepdim: true);
            output = ((output - mean) * Factor(ContrastDraw, jitter.Contrast)).Plus(mean);
        }

        if (jitter.Saturation > 0)
        {
            var grey = Grey(output);
            output = ((output - grey) * Factor(SaturationDraw, jitter.Saturation)).Plus(grey);
        }

        if (jitter.ClampToUnitRange)
        {
            output = output.Clamped(0.0, 1.0);
        }

        return output.to(dtype);
    }

    /// <summary>(B,1,H,W) grey level of (B,3,H,W) RGB images.</summary>
    private static Tensor Grey(Tensor rgb) =>
        (rgb * tensor(GreyWeights, rgb.dtype, rgb.device).view(1, 3, 1, 1)).sum(1, keepdim: true);

    private static (Tensor Images, Tensor Visible) Erase(
        Tensor images,
        Tensor landmarks,
        Tensor visible,
        Tensor draws,
        RandomErasingOptions erasing)
    {
        var (height, width) = ((double)images.shape[2], (double)images.shape[3]);
        var erased = draws[.., EraseDraw].Below(erasing.Probability);
        var area = Between(draws[.., EraseAreaDraw], erasing.Area.Min, erasing.Area.Max).Times(height * width);
        var ratio = Between(draws[.., EraseRatioDraw], Math.Log(erasing.AspectRatio.Min),
            Math.Log(erasing.AspectRatio.Max)).exp();
        var patchWidth = (area * ratio).sqrt().AtMostClamped(width);
        var patchHeight = (area / ratio).sqrt().AtMostClamped(height);
        // Edge coordinates: the patch is [left, left + patchWidth) × [top, top + patchHeight) inside [0, W) × [0, H);
        // a pixel is covered when its centre (j + ½) is.
        var left = draws[.., EraseXDraw] * patchWidth.neg().Plus(width);
        var top = draws[.., EraseYDraw] * patchHeight.neg().Plus(height);
        var right = left.Plus(patchWidth);
        var bottom = top.Plus(patchHeight);
        // (B,N) coordinates inside the patch's extent along one axis.
        Tensor Within(Tensor x, Tensor low, Tensor high) =>
            (x >= low.view(-1, 1)).logical_and(x < high.view(-1, 1));

        var (batch, rowCount, columnCount) = (images.shape[0], images.shape[2], images.shape[3]);
        var columns = Positions(columnCount, draws.dtype, images.device).Plus(0.5).view(1, -1);
        var rows = Positions(rowCount, draws.dtype, images.device).Plus(0.5).view(1, -1);
        // The rectangle is separable: (rows inside) × (columns inside), broadcast to (B,1,H,W).
        var covered = Within(rows, top, bottom).view(batch, 1, rowCount, 1)
            .logical_and(Within(columns, left, right).view(batch, 1, 1, columnCount))
            .logical_and(erased.view(batch, 1, 1, 1));
        var output = images.Filled(covered, erasing.Value);
        if (!erasing.HideErasedLandmarks)
        {
            return (output, visible);
        }

        // A landmark is under the patch when the pixel it lies in (its nearest pixel centre) is erased.
        var points = landmarks.to(draws.dtype).Plus(0.5).floor().Plus(0.5);
        var hidden = Within(points[.., .., 0], left, right).logical_and(Within(points[.., .., 1], top, bottom))
            .logical_and(erased.view(-1, 1));
        return (output, visible.logical_and(hidden.logical_not()));
    }

    /// <summary>min + u·(max − min) for uniforms u in [0, 1).</summary>
    private static Tensor Between(Tensor uniform, double min, double max) => uniform.Times(max - min).Plus(min);

    /// <summary>2u − 1, uniform in [−1, 1) for uniforms u in [0, 1).</summary>
    private static Tensor SignedUnit(Tensor uniform) => uniform.Times(2.0).Plus(-1.0);

    private static IReadOnlyList<int> ResolveMirror(IReadOnlyList<int>? mirror, long count, string argumentName)
    {
        if (mirror is null)
        {
            if (count != LandmarkRegions.Ibug68Count)
            {
                throw new ArgumentException(
                    $"landmarks has K = {count} points, but a mirroring map needs the left/right permutation and the " +
                    $"built-in one is iBUG-68 (K = {LandmarkRegions.Ibug68Count}); pass {argumentName} (the identity " +
                    "for points without sides).", argumentName);
            }

            return LandmarkMirror.Ibug68;
        }

        LandmarkMirror.CheckPermutation(mirror, count, argumentName);
        return mirror;
    }

    private static void CheckBatch(Tensor images, Tensor landmarks, Tensor? visible, Tensor? mask)
    {
        NotNull(images, nameof(images));
        Floating(images, nameof(images));
        Rank(images, nameof(images), 4, "(B,C,H,W)");
        NonEmptyBatch(images, nameof(images));
        PalFunctional.CheckLandmarkShapes(landmarks, visible);
        Batch(landmarks, nameof(landmarks), images.shape[0], nameof(images));
        SameDevice(landmarks, nameof(landmarks), images, nameof(images));
        if (mask is null)
        {
            return;
        }

        NotNull(mask, nameof(mask));
        Floating(mask, nameof(mask));
        if (mask.dim() != 4 || mask.shape[0] != images.shape[0] || mask.shape[1] != 1 ||
            mask.shape[2] != images.shape[2] || mask.shape[3] != images.shape[3])
        {
            throw new ArgumentException(
                $"{nameof(mask)} must have shape [{images.shape[0]}, 1, {images.shape[2]}, {images.shape[3]}] to " +
                $"match {nameof(images)} {Shape(images)}; got {Shape(mask)}.", nameof(mask));
        }

        SameDevice(mask, nameof(mask), images, nameof(images));
    }
}
