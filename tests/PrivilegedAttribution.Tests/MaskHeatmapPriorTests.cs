using TorchSharp;
using static TorchSharp.torch;
using static PrivilegedAttribution.Tests.Numerics;

namespace PrivilegedAttribution.Tests;

/// <summary>The mask prior is the landmark prior with one weighted landmark per pixel: tests pin it to
/// <see cref="PalFunctional.landmark_heatmap"/> and to values worked by hand.</summary>
public sealed class MaskHeatmapPriorTests
{
    private static Tensor OnePixel(long height, long width, long row, long column)
    {
        var mask = zeros(1, 1, height, width, ScalarType.Float64);
        mask[0, 0, row, column] = tensor(1.0);
        return mask;
    }

    [TestCase(8, 10)]
    [TestCase(4, 5)]
    [TestCase(3, 7)]
    [TestCase(16, 20)]
    public void A_single_pixel_equals_the_landmark_heatmap_of_that_pixel(long outHeight, long outWidth)
    {
        using var scope = NewDisposeScope();
        var map = PalFunctional.mask_heatmap(OnePixel(8, 10, 5, 2), outHeight, outWidth, sigma: 1.5);
        var landmark = PalFunctional.landmark_heatmap(tensor(new[] { 2.0, 5.0 }).reshape(1, 1, 2), 8, 10, outHeight,
            outWidth, 1.5);
        AssertClose(map, landmark, 0, 1e-14, "one pixel");
    }

    [Test]
    public void Weighted_pixels_sum_their_gaussians_like_landmarks()
    {
        using var scope = NewDisposeScope();
        // Two pixels two apart on one row, weights 1 and ½: the map at the first is (1 + ½·e^{−2}) before the peak
        // normalisation, at the second (e^{−2} + ½); the peak is the first pixel's value.
        var mask = zeros(1, 1, 5, 7, ScalarType.Float64);
        mask[0, 0, 2, 1] = tensor(1.0);
        mask[0, 0, 2, 3] = tensor(0.5);
        var map = PalFunctional.mask_heatmap(mask, 5, 7, sigma: 1.0);
        var g = Math.Exp(-2.0);
        var peak = 1 + 0.5 * g;
        Assert.That(Scalar(map[0, 0, 2, 1]), Is.EqualTo(1.0).Within(1e-12));
        Assert.That(Scalar(map[0, 0, 2, 3]), Is.EqualTo((g + 0.5) / peak).Within(1e-12));
        Assert.That(Scalar(map[0, 0, 3, 2]), Is.EqualTo(Math.Exp(-1.0) * 1.5 / peak).Within(1e-12));

        // The definition, pixel by pixel: Σ_p w_p·exp(−(j − x'_p)²/2σx'² − (i − y'_p)²/2σy'²), then peak 1.
        var weights = rand(12, 9, ScalarType.Float64) * (rand(12, 9, ScalarType.Float64) > 0.7);
        var w = Values(weights);
        const double Sigma = 2.0;
        var (sx, sy) = (Sigma * 3 / 9, Sigma * 6 / 12);
        var expected = new double[6 * 3];
        for (var p = 0; p < w.Length; p++)
        {
            var (x, y) = ((p % 9 + 0.5) * 3 / 9 - 0.5, (p / 9 + 0.5) * 6 / 12 - 0.5);
            for (var i = 0; i < 6; i++)
            {
                for (var j = 0; j < 3; j++)
                {
                    expected[i * 3 + j] += w[p] * Math.Exp(-(j - x) * (j - x) / (2 * sx * sx) -
                                                           (i - y) * (i - y) / (2 * sy * sy));
                }
            }
        }

        var peakValue = expected.Max();
        AssertClose(Values(PalFunctional.mask_heatmap(weights.reshape(1, 1, 12, 9), 6, 3, Sigma)),
            expected.Select(v => v / peakValue).ToArray(), 1e-12, 0, "weighted pixels at 6×3");
    }

    [Test]
    public void Every_sample_peaks_at_one_and_an_empty_mask_gives_zeros()
    {
        using var scope = NewDisposeScope();
        var mask = rand(3, 1, 28, 28, ScalarType.Float64);
        mask[1] = zeros(1, 28, 28, ScalarType.Float64);
        var map = PalFunctional.mask_heatmap(mask, 7, 7, 2.0);
        Assert.That(map.shape, Is.EqualTo(new long[] { 3, 1, 7, 7 }));
        Assert.That(Scalar(map[0].max()), Is.EqualTo(1.0).Within(1e-12));
        Assert.That(Scalar(map[2].max()), Is.EqualTo(1.0).Within(1e-12));
        Assert.That(Values(map[1]), Is.All.Zero);
        Assert.That(Values(map), Is.All.Matches<double>(v => double.IsFinite(v) && v >= 0));
    }

    [Test]
    public void Direct_rendering_at_a_small_size_matches_area_averaging_a_full_size_rendering()
    {
        using var scope = NewDisposeScope();
        // The tolerance of the landmark prior's test (σ' ≥ 1 output pixel): the two differ by a box blur.
        var mask = (rand(2, 1, 56, 56, ScalarType.Float64) > 0.9).to(ScalarType.Float64);
        var full = PalFunctional.mask_heatmap(mask, 56, 56, 4.0);
        var pooled = nn.functional.avg_pool2d(full, 4);
        pooled /= pooled.amax([2, 3], keepdim: true);
        var direct = PalFunctional.mask_heatmap(mask, 14, 14, 4.0);
        Assert.That(Scalar((pooled - direct).abs().max()), Is.LessThan(0.05));
    }

    [Test]
    public void Module_equals_functional()
    {
        using var scope = NewDisposeScope();
        var mask = rand(2, 1, 20, 16, ScalarType.Float64);
        using var sized = new MaskHeatmapPrior(1.5, outputHeight: 5, outputWidth: 4);
        using var own = new MaskHeatmapPrior(1.5);
        var expected = PalFunctional.mask_heatmap(mask, 5, 4, 1.5);
        AssertClose(sized.call(mask), expected, 0, 0, "forward at the configured size");
        AssertClose(sized.render(mask, 5, 4), expected, 0, 0, "render");
        AssertClose(own.call(mask), PalFunctional.mask_heatmap(mask, 20, 16, 1.5), 0, 0, "forward at the mask size");
    }

    [Test]
    public void Renders_in_the_mask_dtype()
    {
        using var scope = NewDisposeScope();
        var mask = rand(2, 1, 28, 28, ScalarType.Float64);
        var reference = PalFunctional.mask_heatmap(mask, 7, 7, 2);
        foreach (var (dtype, tolerance) in new[] { (ScalarType.Float32, 1e-5), (ScalarType.BFloat16, 0.1) })
        {
            var map = PalFunctional.mask_heatmap(mask.to(dtype), 7, 7, 2);
            Assert.That(map.dtype, Is.EqualTo(dtype));
            AssertClose(map, reference, 0, tolerance, $"{dtype}");
        }
    }

    [Test]
    public void Bad_input_names_the_argument()
    {
        using var scope = NewDisposeScope();
        var mask = rand(2, 1, 8, 8);
        Assert.That(Assert.Throws<ArgumentException>(() => PalFunctional.mask_heatmap(rand(2, 8, 8), 4, 4, 1))!
            .ParamName, Is.EqualTo("mask"));
        Assert.That(Assert.Throws<ArgumentException>(() => PalFunctional.mask_heatmap(rand(2, 3, 8, 8), 4, 4, 1))!
            .Message, Does.Contain("(B,1,H,W)"));
        Assert.That(Assert.Throws<ArgumentException>(() => PalFunctional.mask_heatmap(mask - 2, 4, 4, 1))!
            .Message, Does.Contain("non-negative"));
        Assert.That(Assert.Throws<ArgumentException>(() => PalFunctional.mask_heatmap(mask / 0, 4, 4, 1))!
            .Message, Does.Contain("non-finite"));
        Assert.Throws<ArgumentException>(() => PalFunctional.mask_heatmap(ones(2, 1, 8, 8, ScalarType.Int64), 4, 4, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => PalFunctional.mask_heatmap(mask, 0, 4, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => PalFunctional.mask_heatmap(mask, 4, 4, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new MaskHeatmapPrior(double.NaN));
    }

    [TestCase(ScalarType.Float32, 0.07, 0.08)]
    [TestCase(ScalarType.Float64, 0.02, 0.03)]
    public void A_sigma_too_small_for_the_grid_is_an_error_not_an_all_zero_map(ScalarType dtype, double tooSmall,
        double enough)
    {
        // 28 → 14 puts every pixel centre a quarter of a grid step from the nearest grid point.
        using var scope = NewDisposeScope();
        var ink = zeros(1, 1, 28, 28, dtype);
        ink[0, 0, 10, 12] = tensor(1.0, dtype);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => PalFunctional.mask_heatmap(ink, 14, 14, tooSmall));
        Assert.That(error!.ParamName, Is.EqualTo("sigma"));
        Assert.That(error.Message, Does.Contain("all-zero map"));
        var map = PalFunctional.mask_heatmap(ink, 14, 14, enough);
        Assert.That(Scalar(map.max()), Is.EqualTo(1.0).Within(1e-6), "the smallest σ' allowed still renders");
    }
}
