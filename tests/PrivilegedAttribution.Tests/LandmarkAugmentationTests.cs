using TorchSharp;
using static TorchSharp.torch;
using static PrivilegedAttribution.Tests.Numerics;

namespace PrivilegedAttribution.Tests;

public sealed class LandmarkAugmentationTests
{
    private const int Height = 40;
    private const int Width = 48;

    private static readonly LandmarkAugmentationOptions FlipOnly = new(FlipProbability: 1);

    private static readonly LandmarkAugmentationOptions Geometry =
        new(new RandomAffineOptions((0.7, 1.0), (0.8, 1.25), 15, 0.05), FlipProbability: 0.5);

    /// <summary>Smooth float64 images (low-frequency waves), so that bilinear resampling errors stay small.</summary>
    private static Tensor SmoothImages(int batch, int channels = 3)
    {
        var y = arange(Height, ScalarType.Float64).view(1, 1, -1, 1);
        var x = arange(Width, ScalarType.Float64).view(1, 1, 1, -1);
        var phase = rand(batch, channels, 1, 1, ScalarType.Float64) * 6;
        return 0.5 + 0.25 * (x * 0.15 + phase).sin() * (y * 0.11 - phase).cos();
    }

    /// <summary>68 float64 landmarks per sample inside the central half of the image.</summary>
    private static Tensor CentralLandmarks(int batch) =>
        rand(batch, 68, 2, ScalarType.Float64) * tensor(new double[] { Width / 2.0, Height / 2.0 }) +
        tensor(new double[] { Width / 4.0, Height / 4.0 });

    private static bool Same(Tensor actual, Tensor expected) =>
        actual.shape.SequenceEqual(expected.shape) && actual.equal(expected).all().item<bool>();

    /// <summary>The inverse of each forward map [A | t], as [A⁻¹ | −A⁻¹·t].</summary>
    private static Tensor Inverse(Tensor transform)
    {
        var bottom = tensor(new double[] { 0, 0, 1 }, transform.dtype).expand(transform.shape[0], 1, 3);
        return linalg.inv(cat([transform, bottom], 1))[.., ..2];
    }

    [Test]
    public void A_flip_mirrors_pixels_about_the_image_centre_and_reindexes_the_landmarks()
    {
        using var scope = NewDisposeScope();
        var images = rand(2, 3, Height, Width, ScalarType.Float64);
        var landmarks = CentralLandmarks(2);
        var batch = new LandmarkAugmentation(FlipOnly).Apply(images, landmarks, generator: new Generator(1));
        AssertClose(batch.Images, images.flip(3), 0, 1e-12, "flipped images");
        var index = tensor(LandmarkMirror.Ibug68.Select(i => (long)i).ToArray());
        var expected = landmarks.index_select(1, index);
        expected = stack([(Width - 1) - expected[.., .., 0], expected[.., .., 1]], 2);
        AssertClose(batch.Landmarks, expected, 0, 1e-12, "flipped landmarks");
    }

    [Test]
    public void A_flip_keeps_the_image_left_eye_on_the_left()
    {
        using var scope = NewDisposeScope();
        // A face seen from the front: the image-left eye (36–41) around x = 14, the image-right one (42–47) at 34.
        var landmarks = full(1, 68, 2, 20.0, ScalarType.Float64);
        landmarks[0, TensorIndex.Slice(36, 42), 0] = tensor(new double[] { 10, 12, 16, 18, 16, 12 });
        landmarks[0, TensorIndex.Slice(42, 48), 0] = tensor(new double[] { 30, 32, 36, 38, 36, 32 });
        var batch = new LandmarkAugmentation(FlipOnly).Apply(zeros(1, 1, Height, Width, ScalarType.Float64),
            landmarks, generator: new Generator(1));
        var x = Values(batch.Landmarks[0, .., 0]);
        Assert.That(x[36], Is.LessThan(x[39]), "image-left eye: outer corner left of inner corner");
        Assert.That(x[39], Is.LessThan(x[42]), "image-left eye left of image-right eye");
        Assert.That(x[36], Is.EqualTo(Width - 1 - 38).Within(1e-12), "outer corner of the left eye");
    }

    [Test]
    public void A_flip_twice_is_the_identity()
    {
        using var scope = NewDisposeScope();
        var images = rand(3, 3, Height, Width, ScalarType.Float64);
        var landmarks = CentralLandmarks(3);
        var visible = rand(3, 68) > 0.3;
        var mask = rand(3, 1, Height, Width, ScalarType.Float64);
        var augmentation = new LandmarkAugmentation(FlipOnly);
        var once = augmentation.Apply(images, landmarks, visible, mask, new Generator(5));
        var twice = augmentation.Apply(once.Images, once.Landmarks, once.Visible, once.Mask, new Generator(6));
        AssertClose(twice.Images, images, 0, 1e-12, "images");
        AssertClose(twice.Landmarks, landmarks, 0, 1e-12, "landmarks");
        AssertClose(twice.Mask!, mask, 0, 1e-12, "mask");
        Assert.That(Same(twice.Visible, visible), Is.True, "visibility");
        Assert.That(Same(once.Visible, visible), Is.False, "one flip reorders the visibility with the points");
    }

    [Test]
    public void An_integer_translation_moves_pixels_and_landmarks_by_whole_pixels()
    {
        using var scope = NewDisposeScope();
        var images = rand(1, 2, Height, Width, ScalarType.Float64);
        var landmarks = tensor(new double[] { 3, 4, 10.25, 7.5 }, ScalarType.Float64).view(1, 2, 2);
        var shift = tensor(new double[] { 1, 0, 2, 0, 1, 1 }, ScalarType.Float64).view(1, 2, 3);
        var batch = LandmarkAugmentation.Warp(images, landmarks, shift, mirror: [0, 1]);
        AssertClose(batch.Images[.., .., 1.., 2..], images[.., .., ..^1, ..^2], 0, 1e-12, "shifted pixels");
        AssertClose(batch.Images[.., .., 0], zeros(1, 2, Width, ScalarType.Float64), 0, 1e-12, "zero padding");
        AssertClose(batch.Landmarks, landmarks + tensor(new double[] { 2, 1 }), 0, 1e-12, "shifted landmarks");
    }

    [Test]
    public void A_warp_followed_by_its_inverse_restores_landmarks_and_the_image_interior()
    {
        using var scope = NewDisposeScope();
        var images = SmoothImages(6);
        var landmarks = CentralLandmarks(6);
        var there = new LandmarkAugmentation(Geometry).Apply(images, landmarks, generator: new Generator(3));
        var back = LandmarkAugmentation.Warp(there.Images, there.Landmarks, Inverse(there.Transform));
        AssertClose(back.Landmarks, landmarks, 0, 1e-9, "landmarks");
        // Two bilinear resamplings of waves with periods ≥ 40 pixels: errors of a few thousandths in the interior
        // (the border was cropped away and comes back as zeros).
        var interior = (back.Images - images)[.., .., 14..^14, 16..^16].abs().max();
        TestContext.Out.WriteLine($"max |restored − original| in the interior = {Scalar(interior):G3}");
        Assert.That(Scalar(interior), Is.LessThan(0.01));
        var mirrored = Values(there.Transform[.., 0, 0] * there.Transform[.., 1, 1] -
                              there.Transform[.., 0, 1] * there.Transform[.., 1, 0]).Count(d => d < 0);
        Assert.That(mirrored, Is.InRange(1, 5), "the seed draws flipped and unflipped samples");
    }

    [Test]
    public void The_heatmap_of_transformed_landmarks_equals_the_transformed_heatmap()
    {
        using var scope = NewDisposeScope();
        // Rotation, translation and flips keep σ; the heatmap passes through the warp as the mask prior.
        var options = new LandmarkAugmentationOptions(new RandomAffineOptions((1, 1), (1, 1), 20, 0.05), 0.5);
        var landmarks = CentralLandmarks(4);
        var heatmap = PalFunctional.landmark_heatmap(landmarks, Height, Width, Height, Width, sigma: 3);
        var batch = new LandmarkAugmentation(options).Apply(zeros(4, 1, Height, Width, ScalarType.Float64),
            landmarks, mask: heatmap, generator: new Generator(9));
        var rendered = PalFunctional.landmark_heatmap(batch.Landmarks, Height, Width, Height, Width, sigma: 3,
            visible: batch.Visible);
        var warped = batch.Mask! / batch.Mask!.amax([2, 3], keepdim: true);
        var worst = Scalar((rendered - warped).abs().max());
        TestContext.Out.WriteLine($"max |rendered − warped| = {worst:G3}");
        Assert.That(worst, Is.LessThan(0.03));
        Assert.That(batch.Visible.all().item<bool>(), Is.True, "central points stay on the image");
    }

    [Test]
    public void Landmarks_moved_off_the_image_become_invisible_and_keep_their_coordinates()
    {
        using var scope = NewDisposeScope();
        var landmarks = tensor(new double[] { 5, 5, 30, 5, 47, 39, 20, 20 }, ScalarType.Float64).view(1, 4, 2);
        var visible = tensor(new[] { true, true, true, false }).view(1, 4);
        // Shift right by 20 pixels: x = 30 → 50 and 47 → 67 leave the 48-pixel-wide image.
        var shift = tensor(new double[] { 1, 0, 20, 0, 1, 0 }, ScalarType.Float64).view(1, 2, 3);
        var batch = LandmarkAugmentation.Warp(zeros(1, 1, Height, Width, ScalarType.Float64), landmarks, shift,
            visible, mirror: [0, 1, 2, 3]);
        Assert.That(Values(batch.Landmarks), Is.EqualTo(new double[] { 25, 5, 50, 5, 67, 39, 40, 20 }));
        Assert.That(batch.Visible.data<bool>().ToArray(), Is.EqualTo(new[] { true, false, false, false }));
    }

    [Test]
    public void A_point_on_the_image_edge_stays_visible_and_one_just_beyond_it_does_not()
    {
        using var scope = NewDisposeScope();
        var landmarks = tensor(new double[] { -0.5, 0, Width - 0.5, 0, -0.5001, 0, 0, Height - 0.4999 },
            ScalarType.Float64).view(1, 4, 2);
        var identity = tensor(new double[] { 1, 0, 0, 0, 1, 0 }, ScalarType.Float64).view(1, 2, 3);
        var batch = LandmarkAugmentation.Warp(zeros(1, 1, Height, Width, ScalarType.Float64), landmarks, identity,
            mirror: [0, 1, 2, 3]);
        Assert.That(batch.Visible.data<bool>().ToArray(), Is.EqualTo(new[] { true, true, false, false }));
    }

    [Test]
    public void Batch_items_get_independent_draws()
    {
        using var scope = NewDisposeScope();
        var images = SmoothImages(1).expand(8, -1, -1, -1);
        var landmarks = CentralLandmarks(1).expand(8, -1, -1);
        var options = Geometry with { ColorJitter = new ColorJitterOptions(0.3, 0.3, 0.3) };
        var batch = new LandmarkAugmentation(options).Apply(images, landmarks, generator: new Generator(11));
        var transforms = batch.Transform.reshape(8, 6);
        for (var i = 0; i < 8; i++)
        {
            for (var j = i + 1; j < 8; j++)
            {
                Assert.That(Scalar((transforms[i] - transforms[j]).abs().min()), Is.GreaterThan(1e-6),
                    $"samples {i} and {j} share a parameter");
                Assert.That(Scalar((batch.Images[i] - batch.Images[j]).abs().max()), Is.GreaterThan(1e-3),
                    $"samples {i} and {j}");
            }
        }
    }

    [Test]
    public void The_same_seed_gives_the_same_batch_and_another_seed_another()
    {
        using var scope = NewDisposeScope();
        var images = SmoothImages(4);
        var landmarks = CentralLandmarks(4);
        var augmentation = new LandmarkAugmentation(LandmarkAugmentationOptions.FacialExpression);
        var first = augmentation.Apply(images, landmarks, generator: new Generator(42));
        manual_seed(1); // the global generator must not matter
        var second = augmentation.Apply(images, landmarks, generator: new Generator(42));
        var other = augmentation.Apply(images, landmarks, generator: new Generator(43));
        Assert.That(Same(second.Images, first.Images), Is.True, "images");
        Assert.That(Same(second.Landmarks, first.Landmarks), Is.True, "landmarks");
        Assert.That(Same(second.Visible, first.Visible), Is.True, "visibility");
        Assert.That(Same(other.Images, first.Images), Is.False, "another seed");
    }

    [Test]
    public void Colour_jitter_changes_each_image_by_its_own_brightness_factor_and_leaves_landmarks_alone()
    {
        using var scope = NewDisposeScope();
        var images = SmoothImages(5) * 0.5;
        var landmarks = CentralLandmarks(5);
        var options = new LandmarkAugmentationOptions(ColorJitter: new ColorJitterOptions(0.4, 0, 0));
        var batch = new LandmarkAugmentation(options).Apply(images, landmarks, generator: new Generator(2));
        var ratio = batch.Images / images;
        var factors = Values(ratio.amax([1, 2, 3]));
        AssertClose(ratio.amin([1, 2, 3]), ratio.amax([1, 2, 3]), 1e-12, 0, "one factor per image");
        Assert.That(factors, Has.All.InRange(0.6, 1.4));
        Assert.That(factors.Distinct().Count(), Is.EqualTo(5));
        Assert.That(Same(batch.Landmarks, landmarks), Is.True, "landmarks");
    }

    [Test]
    public void Erasing_fills_one_rectangle_and_hides_only_the_landmarks_under_it_when_asked()
    {
        using var scope = NewDisposeScope();
        var images = full(3, 3, Height, Width, 0.5, ScalarType.Float64);
        var landmarks = CentralLandmarks(3);
        foreach (var hide in new[] { false, true })
        {
            var erasing = new RandomErasingOptions(1, (0.1, 0.3), (0.5, 2), -1, hide);
            var batch = new LandmarkAugmentation(new LandmarkAugmentationOptions(Erasing: erasing))
                .Apply(images, landmarks, generator: new Generator(4));
            for (var b = 0; b < 3; b++)
            {
                var erased = batch.Images[b, 0] == -1;
                var rows = erased.any(1).nonzero().flatten();
                var columns = erased.any(0).nonzero().flatten();
                var (top, bottom) = (rows.min().item<long>(), rows.max().item<long>());
                var (left, right) = (columns.min().item<long>(), columns.max().item<long>());
                var count = erased.sum().item<long>();
                Assert.That(count, Is.EqualTo((bottom - top + 1) * (right - left + 1)), $"sample {b}: a rectangle");
                Assert.That(count / (double)(Height * Width), Is.InRange(0.05, 0.35), $"sample {b}: its area");
                var x = Values(landmarks[b, .., 0]);
                var y = Values(landmarks[b, .., 1]);
                var shown = batch.Visible[b].data<bool>().ToArray();
                for (var k = 0; k < 68; k++)
                {
                    var under = Math.Round(x[k]) >= left && Math.Round(x[k]) <= right &&
                                Math.Round(y[k]) >= top && Math.Round(y[k]) <= bottom;
                    Assert.That(shown[k], Is.EqualTo(!(hide && under)), $"hide {hide}, sample {b}, point {k}");
                }
            }
        }
    }

    [Test]
    public void An_augmentation_leaves_no_tensor_behind_but_its_result()
    {
        using var images = SmoothImages(2);
        using var landmarks = CentralLandmarks(2);
        using var mask = rand(2, 1, Height, Width, ScalarType.Float64);
        var augmentation = new LandmarkAugmentation(LandmarkAugmentationOptions.FacialExpression);
        using var generator = new Generator(8);
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using (var scope = NewDisposeScope())
        {
            augmentation.Apply(images, landmarks, mask: mask, generator: generator);
            Assert.That(DisposeScopeManager.Statistics.ThreadTotalLiveCount, Is.EqualTo(before + 5),
                "images, landmarks, visibility, mask, transform");
        }

        Assert.That(DisposeScopeManager.Statistics.ThreadTotalLiveCount, Is.EqualTo(before));
    }

    [Test]
    public void Flips_of_other_than_68_points_need_a_mirror_permutation()
    {
        using var scope = NewDisposeScope();
        var images = zeros(2, 3, Height, Width);
        var landmarks = rand(2, 5, 2) * 20;
        var error = Assert.Throws<ArgumentException>(() =>
            new LandmarkAugmentation(FlipOnly).Apply(images, landmarks))!;
        Assert.That(error.ParamName, Is.EqualTo("options.Mirror"));
        Assert.That(error.Message, Does.Contain("K = 5"));
        var own = new LandmarkAugmentation(FlipOnly with { Mirror = [4, 3, 2, 1, 0] }).Apply(images, landmarks);
        Assert.That(Scalar(own.Landmarks[0, 0, 0]), Is.EqualTo(Width - 1 - Scalar(landmarks[0, 4, 0])).Within(1e-4));
        Assert.Throws<ArgumentException>(() => _ = new LandmarkAugmentation(FlipOnly with { Mirror = [1, 2, 0] }));
    }

    [Test]
    public void Bad_arguments_name_the_argument_and_the_shapes()
    {
        using var scope = NewDisposeScope();
        var augmentation = new LandmarkAugmentation(LandmarkAugmentationOptions.FacialExpression);
        var images = zeros(2, 3, Height, Width);
        var landmarks = rand(2, 68, 2) * 20;
        var cases = new (TestDelegate Call, string Argument, string Text)[]
        {
            (() => augmentation.Apply(images, landmarks.view(2, 136)), "landmarks", "(B,K,2)"),
            (() => augmentation.Apply(images[..1], landmarks), "landmarks", "batch size 1"),
            (() => augmentation.Apply(images, landmarks, mask: zeros(2, 1, Height, Width + 1)), "mask",
                $"[2, 1, {Height}, {Width}]"),
            (() => augmentation.Apply(images, landmarks, ones(2, 68)), "visible", "Bool"),
            (() => augmentation.Apply(images[.., ..1], landmarks), "images", "saturation"),
            (() => augmentation.Apply(images.to(ScalarType.Int64), landmarks), "images", "floating-point"),
            (() => LandmarkAugmentation.Warp(images, landmarks, zeros(2, 3, 3)), "transform", "[2, 2, 3]"),
        };
        foreach (var (call, argument, text) in cases)
        {
            var error = Assert.Throws<ArgumentException>(call)!;
            Assert.That(error.ParamName, Is.EqualTo(argument), error.Message);
            Assert.That(error.Message, Does.Contain(text));
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new LandmarkAugmentation(
            new LandmarkAugmentationOptions(new RandomAffineOptions((0.5, 0.4), (1, 1), 0, 0))));
    }
}
