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
    public void Landmarks_outside_the_image_are_allowed()
    {
        using var scope = NewDisposeScope();
        var map = PalFunctional.landmark_heatmap(Points(-3, 4, 20, 4), 8, 8, 8, 8, 2.0);
        Assert.That(Values(map), Is.All.Matches<double>(double.IsFinite));
        Assert.That(Scalar(map.max()), Is.EqualTo(1.0).Within(1e-12));
        Assert.That(map[0, 0, 4].argmax().item<long>(), Is.EqualTo(0)); // nearest edge to x = −3
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
