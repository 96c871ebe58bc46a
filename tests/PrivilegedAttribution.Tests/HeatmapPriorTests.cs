using TorchSharp;
using static TorchSharp.torch;
using static PrivilegedAttribution.Tests.Numerics;

namespace PrivilegedAttribution.Tests;

public sealed class HeatmapPriorTests
{
    private static Tensor Points(params double[] xy) => tensor(xy).reshape(1, xy.Length / 2, 2);

    [Test]
    public void A_single_landmark_peaks_at_its_pixel_with_value_one()
    {
        using var scope = NewDisposeScope();
        var map = PalFunctional.landmark_heatmap(Points(5, 2), 8, 10, 8, 10, sigma: 1.5);
        Assert.That(map.shape, Is.EqualTo(new long[] { 1, 1, 8, 10 }));
        Assert.That(Scalar(map[0, 0, 2, 5]), Is.EqualTo(1.0).Within(1e-12));
        Assert.That(map.argmax().item<long>(), Is.EqualTo(2 * 10 + 5));
        // One pixel right: exp(−1/(2·1.5²)).
        Assert.That(Scalar(map[0, 0, 2, 6]), Is.EqualTo(Math.Exp(-1 / (2 * 1.5 * 1.5))).Within(1e-12));
    }

    [Test]
    public void Landmarks_map_to_the_output_grid_by_pixel_centres()
    {
        using var scope = NewDisposeScope();
        // Input pixel 5 of 16 covers [5, 6) in edge coordinates; at half size it is centred on x' = 2.25.
        var map = PalFunctional.landmark_heatmap(Points(5, 9), 16, 16, 8, 8, sigma: 2);
        var row = Values(map[0, 0, 4]);   // y' = (9 + 0.5)/2 − 0.5 = 4.25
        var sigma = 1.0;                 // 2 input pixels at half size
        for (var j = 0; j < 8; j++)
        {
            var expected = Math.Exp(-((j - 2.25) * (j - 2.25) / (2 * sigma * sigma))) *
                           Math.Exp(-(0.25 * 0.25) / (2 * sigma * sigma));
            var peak = Math.Exp(-(0.25 * 0.25) / (2 * sigma * sigma)) * Math.Exp(-(0.25 * 0.25) / (2 * sigma * sigma));
            Assert.That(row[j], Is.EqualTo(expected / peak).Within(1e-12), $"column {j}");
        }
    }

    [Test]
    public void Sum_and_max_combine_overlapping_gaussians_as_named()
    {
        using var scope = NewDisposeScope();
        var points = Points(3, 3, 5, 3);
        var sum = PalFunctional.landmark_heatmap(points, 8, 9, 8, 9, 1.0);
        var max = PalFunctional.landmark_heatmap(points, 8, 9, 8, 9, 1.0, combine: HeatmapCombine.Max);
        var g = Math.Exp(-4 / 2.0); // the other Gaussian, two pixels away
        // Sum: 1 + g on each landmark, 2·exp(−½) (the peak) on the midpoint; Max: 1 on each landmark.
        Assert.That(Scalar(sum[0, 0, 3, 4]), Is.EqualTo(1.0).Within(1e-12));
        Assert.That(Scalar(sum[0, 0, 3, 3]), Is.EqualTo((1 + g) / (2 * Math.Exp(-0.5))).Within(1e-12));
        Assert.That(Scalar(max[0, 0, 3, 3]), Is.EqualTo(1.0).Within(1e-12));
        Assert.That(Scalar(max[0, 0, 3, 4]), Is.EqualTo(Math.Exp(-0.5)).Within(1e-12));
    }

    [Test]
    public void Direct_rendering_at_a_small_size_matches_area_averaging_a_full_size_rendering()
    {
        using var scope = NewDisposeScope();
        // σ = 8 input pixels (1 pixel at 14×14). Area averaging blurs each Gaussian by a box of one output pixel
        // (variance 1/12 pixel²), so the two differ by a few percent of the peak: the stated tolerance is 0.05
        // (max absolute, peak-normalised maps) for σ' ≥ 1 output pixel. With Max the tolerance holds for points
        // at least 3σ apart; where Gaussians overlap, averaging and the maximum do not commute.
        var generator = new Random(7);
        var spread = Enumerable.Range(0, 2 * 68 * 2).Select(_ => 20 + 72 * generator.NextDouble()).ToArray();
        var separated = new double[] { 20, 20, 90, 24, 30, 88, 84, 80, 56, 52, 20, 20, 90, 24, 30, 88, 84, 80, 56, 52 };
        foreach (var (combine, coordinates) in new[] { (HeatmapCombine.Sum, spread), (HeatmapCombine.Max, separated) })
        {
            var landmarks = tensor(coordinates).reshape(2, -1, 2);
            var full = PalFunctional.landmark_heatmap(landmarks, 112, 112, 112, 112, 8, combine: combine);
            var pooled = nn.functional.avg_pool2d(full, 8);
            pooled = pooled / pooled.amax([2, 3], keepdim: true);
            var direct = PalFunctional.landmark_heatmap(landmarks, 112, 112, 14, 14, 8, combine: combine);
            var worst = Scalar((pooled - direct).abs().max());
            TestContext.Out.WriteLine($"{combine}: max |pooled − direct| = {worst:G3}");
            Assert.That(worst, Is.LessThan(0.05), $"{combine}");
        }
    }

    [Test]
    public void Landmarks_a_little_outside_the_image_are_allowed()
    {
        // A face cut by the frame: two of three points on the 8×8 image, one beyond its left edge.
        using var scope = NewDisposeScope();
        var map = PalFunctional.landmark_heatmap(Points(-3, 4, 5, 4, 6, 5), 8, 8, 8, 8, 2.0);
        Assert.That(Values(map), Is.All.Matches<double>(double.IsFinite));
        Assert.That(Scalar(map.max()), Is.EqualTo(1.0).Within(1e-12));
        var alone = PalFunctional.landmark_heatmap(Points(5, 4, 6, 5), 8, 8, 8, 8, 2.0);
        Assert.That(Scalar(map[0, 0, 4, 0]), Is.GreaterThan(Scalar(alone[0, 0, 4, 0])), "the outside point counts");
    }

    private static IEnumerable<TestCaseData> UnitAndFrameMistakes()
    {
        // 68 points of a face spanning 150–300 px in a 448-px photo, the photo's pixels used with its 112-px crop.
        var face = Enumerable.Range(0, 68)
            .SelectMany(k => new[] { 150.0 + 150 * (k % 9) / 8.0, 160.0 + 140 * (k / 9) / 7.0 }).ToArray();
        yield return new TestCaseData(Enumerable.Repeat(new[] { -25.0, 50.0 }, 5).SelectMany(p => p).ToArray(),
            "0 of its 5 visible landmarks lie on the 112×112 image").SetName("All points at x = -25");
        yield return new TestCaseData(face.Select(v => v / 448).ToArray(), "look normalised")
            .SetName("Coordinates normalised to 0..1");
        yield return new TestCaseData(face.Select(v => v / 224 - 1).ToArray(), "look normalised")
            .SetName("Coordinates normalised to -1..1");
        yield return new TestCaseData(face, "original photo").SetName("The photo's pixels used with its crop");
    }

    [TestCaseSource(nameof(UnitAndFrameMistakes))]
    public void Unit_and_frame_mistakes_are_errors_not_silent_maps(double[] xy, string expected)
    {
        using var scope = NewDisposeScope();
        var bad = Points(xy);
        // The bad sample is the second of the batch: the message names it.
        var landmarks = cat([full_like(bad, 56.0), bad]);
        var error = Assert.Throws<ArgumentException>(() =>
            PalFunctional.landmark_heatmap(landmarks, 112, 112, 14, 14, 6.0));
        Assert.That(error!.ParamName, Is.EqualTo("landmarks"));
        Assert.That(error.Message, Does.Contain("sample 1").And.Contain(expected));
    }

    [TestCase(HeatmapCombine.Sum)]
    [TestCase(HeatmapCombine.Max)]
    public void No_landmarks_at_all_give_an_all_zero_map(HeatmapCombine combine)
    {
        using var scope = NewDisposeScope();
        var map = PalFunctional.landmark_heatmap(zeros(2, 0, 2), 8, 8, 4, 4, 1.0, combine: combine);
        Assert.That(map.shape, Is.EqualTo(new long[] { 2, 1, 4, 4 }));
        Assert.That(Values(map), Is.All.EqualTo(0.0));
    }

    [Test]
    public void Points_off_the_image_can_be_marked_invisible_instead()
    {
        using var scope = NewDisposeScope();
        var landmarks = Points(-25, 50, -25, 60, -25, 70, 56, 56);
        var visible = tensor(new[] { false, false, false, true }).reshape(1, 4);
        var map = PalFunctional.landmark_heatmap(landmarks, 112, 112, 14, 14, 6.0, visible);
        AssertClose(map, PalFunctional.landmark_heatmap(Points(56, 56), 112, 112, 14, 14, 6.0), 0, 1e-15, "map");
    }

    [TestCase(ScalarType.Float32, 1e-15)]
    [TestCase(ScalarType.Float64, 1e-25)]
    [TestCase(ScalarType.Float64, 1e-150)]
    public void A_sigma_far_below_a_pixel_renders_the_nearest_pixel_never_zeros(ScalarType dtype, double sigma)
    {
        using var scope = NewDisposeScope();
        // (10.3, 20.6) on a 112-px image is (1.05, 2.24) on the 14-px grid: nearest pixel (row 2, column 1).
        var map = PalFunctional.landmark_heatmap(Points(10.3, 20.6).to(dtype), 112, 112, 14, 14, sigma);
        Assert.That(Scalar(map[0, 0, 2, 1]), Is.EqualTo(1.0), "peak at the nearest pixel");
        Assert.That(Scalar(map.sum()), Is.EqualTo(1.0), "nothing elsewhere");
    }

    [Test]
    public void A_sigma_the_dtype_cannot_represent_is_an_error()
    {
        using var scope = NewDisposeScope();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            PalFunctional.landmark_heatmap(Points(10, 20).to(ScalarType.Float32), 112, 112, 14, 14, 1e-25));
        Assert.That(error!.ParamName, Is.EqualTo("sigma"));
        Assert.That(error.Message, Does.Contain("Float32").And.Contain("14-pixel"));
    }

    [Test]
    public void The_device_side_rule_flags_the_same_samples_as_the_host_check()
    {
        // What PalObjective.GuardNonFinite reads on accelerators: one flag per sample, no host read to compute it.
        using var scope = NewDisposeScope();
        using var prior = new HeatmapPrior(112, 112, 6);
        var landmarks = cat([Points(40, 50, 70, 50, 56, 80), Points(-25, 50, -25, 60, -25, 70),
            Points(0.2, 0.3, 0.5, 0.4, 0.6, 0.9), Points(40, double.NaN, 70, 50, 56, 80), Points(1, 1, 2, 2, 3, 3)]);
        Assert.That(prior.Violations(landmarks, null).data<bool>().ToArray(),
            Is.EqualTo(new[] { false, true, true, true, false }));
        var visible = tensor(new[] { true, true, true, true, true, false, true, false, false, false, true, true,
            true, true, true }).reshape(5, 3);
        Assert.That(prior.Violations(landmarks, visible).data<bool>().ToArray(),
            Is.EqualTo(new[] { false, true, false, false, false }), "one visible point is not a normalised face");
    }

    [Test]
    public void Invisible_landmarks_are_ignored_even_when_not_finite()
    {
        using var scope = NewDisposeScope();
        var landmarks = tensor(new[] { 2.0, 2.0, double.NaN, double.PositiveInfinity, 6, 5 }).reshape(1, 3, 2);
        var visible = tensor(new[] { true, false, false }).reshape(1, 3);
        var map = PalFunctional.landmark_heatmap(landmarks, 8, 8, 8, 8, 1.0, visible);
        var alone = PalFunctional.landmark_heatmap(Points(2, 2), 8, 8, 8, 8, 1.0);
        AssertClose(map, alone, 0, 1e-15, "visible point only");
    }

    [Test]
    public void A_sample_without_visible_landmarks_gives_an_all_zero_map_and_zero_pal()
    {
        using var scope = NewDisposeScope();
        var landmarks = tensor(new[] { 2.0, 2.0, 5, 5, 1, 1, 6, 6 }).reshape(2, 2, 2);
        var visible = tensor(new[] { true, true, false, false }).reshape(2, 2);
        var map = PalFunctional.landmark_heatmap(landmarks, 8, 8, 8, 8, 1.0, visible);
        Assert.That(Values(map[1]), Is.All.Zero);
        var attribution = randn(2, 3, 8, 8, ScalarType.Float64).requires_grad_();
        var loss = PalFunctional.pal_loss(attribution, map, reduction: nn.Reduction.None);
        var gradient = autograd.grad([loss.sum()], [attribution])[0];
        Assert.That(Scalar(loss[1]), Is.Zero);
        Assert.That(Values(gradient[1]), Is.All.Zero);
    }

    [Test]
    public void Region_presets_select_the_ibug68_points()
    {
        Assert.That(LandmarkRegions.Indices(LandmarkRegion.Jaw), Is.EqualTo(Enumerable.Range(0, 17)));
        Assert.That(LandmarkRegions.Indices(LandmarkRegion.Brows), Is.EqualTo(Enumerable.Range(17, 10)));
        Assert.That(LandmarkRegions.Indices(LandmarkRegion.Nose), Is.EqualTo(Enumerable.Range(27, 9)));
        Assert.That(LandmarkRegions.Indices(LandmarkRegion.Eyes), Is.EqualTo(Enumerable.Range(36, 12)));
        Assert.That(LandmarkRegions.Indices(LandmarkRegion.Mouth), Is.EqualTo(Enumerable.Range(48, 20)));
        Assert.That(LandmarkRegions.Indices(LandmarkRegion.All), Is.EqualTo(Enumerable.Range(0, 68)));
        Assert.That(LandmarkRegions.Indices(LandmarkRegion.Eyes | LandmarkRegion.Mouth),
            Is.EqualTo(Enumerable.Range(36, 12).Concat(Enumerable.Range(48, 20))));
        Assert.That(LandmarkRegions.Mask(LandmarkRegion.InnerFace).Count(m => m), Is.EqualTo(51));
    }

    [Test]
    public void A_region_prior_renders_exactly_the_points_of_its_regions()
    {
        using var scope = NewDisposeScope();
        var landmarks = rand(2, 68, 2, ScalarType.Float64) * 48;
        var visible = rand(2, 68) > 0.2;
        using var prior = new HeatmapPrior(48, 48, 3, LandmarkRegion.Eyes | LandmarkRegion.Mouth);
        var rendered = prior.render(landmarks, 12, 12, visible);
        var index = tensor(LandmarkRegions.Indices(LandmarkRegion.Eyes | LandmarkRegion.Mouth)
            .Select(i => (long)i).ToArray());
        var expected = PalFunctional.landmark_heatmap(landmarks.index_select(1, index), 48, 48, 12, 12, 3,
            visible.index_select(1, index));
        AssertClose(rendered, expected, 0, 0, "region prior");
        Assert.Throws<ArgumentException>(() => prior.render(landmarks[.., ..30], 12, 12));
    }

    [Test]
    public void Module_equals_functional()
    {
        using var scope = NewDisposeScope();
        var landmarks = rand(3, 10, 2, ScalarType.Float64) * 32;
        using var prior = new HeatmapPrior(32, 40, 2.5, combine: HeatmapCombine.Max, outputHeight: 8,
            outputWidth: 10);
        var expected = PalFunctional.landmark_heatmap(landmarks, 32, 40, 8, 10, 2.5, combine: HeatmapCombine.Max);
        AssertClose(prior.call(landmarks), expected, 0, 0, "forward");
        AssertClose(prior.render(landmarks, 8, 10), expected, 0, 0, "render");
    }

    [Test]
    public void Renders_in_the_landmarks_dtype()
    {
        using var scope = NewDisposeScope();
        var landmarks = rand(2, 68, 2, ScalarType.Float64) * 28;
        var reference = PalFunctional.landmark_heatmap(landmarks, 28, 28, 7, 7, 2);
        foreach (var (dtype, tolerance) in new[] { (ScalarType.Float32, 1e-5), (ScalarType.BFloat16, 0.1) })
        {
            var map = PalFunctional.landmark_heatmap(landmarks.to(dtype), 28, 28, 7, 7, 2);
            Assert.That(map.dtype, Is.EqualTo(dtype));
            AssertClose(map, reference, 0, tolerance, $"{dtype}");
        }
    }
}
