using TorchSharp;
using static TorchSharp.torch;
using static PrivilegedAttribution.Tests.Numerics;

namespace PrivilegedAttribution.Tests;

/// <summary>
/// <see cref="PalNormalization.Cosine"/>: per map −Σ a·h / (‖a‖·‖h‖) of the raw map and heatmap, equal to a direct
/// computation and to TorchSharp's own cosine similarity (Belharbi et al.'s 1 − cos, less 1); scale-free but not
/// shift-free; a zero map or heatmap gives 0 with a finite, zero gradient at every scale, never NaN.
/// </summary>
public sealed class CosineVariantTests
{
    [TestCase("Mean")]
    [TestCase("AllChannels")]
    [TestCase("FirstFraction(0.5)")]
    public void Values_equal_a_direct_computation(string strategyName)
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var strategy = ChannelStrategy.Parse(strategyName);
        var attribution = randn(3, 4, 5, 6, ScalarType.Float64);
        var heatmap = rand(3, 1, 5, 6, ScalarType.Float64);
        var loss = PalFunctional.pal_loss(attribution, heatmap, strategy, PalNormalization.Cosine,
            nn.Reduction.None);
        var (a, h) = (Values(attribution), Values(heatmap));
        var used = (int)strategy.ChannelsUsed(4);
        var expected = new double[3];
        for (var b = 0; b < 3; b++)
        {
            // The maps the strategy makes: each channel, or the mean of the first `used` channels.
            var maps = strategy.Kind == ChannelStrategyKind.AllChannels
                ? Enumerable.Range(0, 4).Select(c => Enumerable.Range(0, 30).Select(p => a[(b * 4 + c) * 30 + p])
                    .ToArray()).ToList()
                : [Enumerable.Range(0, 30).Select(p => Enumerable.Range(0, used).Average(c => a[(b * 4 + c) * 30 + p]))
                    .ToArray()];
            var heat = Enumerable.Range(0, 30).Select(p => h[b * 30 + p]).ToArray();
            expected[b] = maps.Average(m => -m.Zip(heat, (x, y) => x * y).Sum() /
                                            Math.Sqrt(m.Sum(x => x * x) * heat.Sum(y => y * y)));
        }

        AssertClose(Values(loss), expected, 1e-13, 1e-15, $"cosine, {strategy}");
    }

    [Test]
    public void Equals_one_minus_torch_cosine_similarity_less_one_as_Belharbi_et_al_write_it()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        var attribution = randn(4, 8, 7, 7, ScalarType.Float64);
        var heatmap = rand(4, 1, 7, 7, ScalarType.Float64);
        var ours = PalFunctional.pal_loss(attribution, heatmap, normalization: PalNormalization.Cosine);
        // Their loss: (1 − cos(flattened channel-mean map, flattened heatmap)).mean() over the batch.
        var cosine = nn.functional.cosine_similarity(attribution.mean([1]).flatten(1), heatmap.flatten(1), 1, 1e-8);
        Assert.That(Scalar(ours), Is.EqualTo(Scalar((1 - cosine).mean()) - 1).Within(1e-14));
    }

    [Test]
    public void Reaches_minus_one_for_a_positive_multiple_of_the_heatmap_and_one_for_a_negative_multiple()
    {
        using var scope = NewDisposeScope();
        var heatmap = rand(2, 1, 6, 6, ScalarType.Float64);
        var aligned = PalFunctional.pal_loss(heatmap * 3, heatmap, normalization: PalNormalization.Cosine,
            reduction: nn.Reduction.None);
        var opposed = PalFunctional.pal_loss(heatmap * -0.2, heatmap, normalization: PalNormalization.Cosine,
            reduction: nn.Reduction.None);
        Assert.That(Values(aligned), Is.All.EqualTo(-1.0).Within(1e-14));
        Assert.That(Values(opposed), Is.All.EqualTo(1.0).Within(1e-14));
    }

    private static readonly double[] Scales = [1e-30, 1e-9, 1e-3, 1, 1e3, 1e9, 1e30];

    [TestCase(ScalarType.Float64)]
    [TestCase(ScalarType.Float32)]
    public void Is_scale_free_from_1e_minus_30_to_1e30(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var attribution = randn(2, 4, 5, 5, ScalarType.Float64);
        var heatmap = rand(2, 1, 5, 5, ScalarType.Float64);
        var (rtol, atol) = dtype == ScalarType.Float64 ? (1e-12, 1e-14) : (1e-5, 1e-6);
        var (reference, referenceGradient) = LossAndGradient(attribution, heatmap, 1.0);
        foreach (var scale in Scales)
        {
            var (loss, gradient) = LossAndGradient(attribution.to(dtype), heatmap.to(dtype), scale);
            AssertClose(loss, reference, rtol, atol, $"loss at scale {scale:G1} in {dtype}");
            AssertClose(gradient, referenceGradient, 10 * rtol, 10 * atol * Values(referenceGradient).Max(Math.Abs),
                $"gradient at scale {scale:G1} in {dtype}");
        }
    }

    [Test]
    public void Is_not_shift_free_unlike_pearson()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        var attribution = randn(2, 3, 5, 5, ScalarType.Float64);
        var heatmap = rand(2, 1, 5, 5, ScalarType.Float64);
        double Loss(Tensor a, PalNormalization n) => Scalar(PalFunctional.pal_loss(a, heatmap, normalization: n));
        Assert.That(Loss(attribution + 5, PalNormalization.Pearson),
            Is.EqualTo(Loss(attribution, PalNormalization.Pearson)).Within(1e-12));
        Assert.That(Math.Abs(Loss(attribution + 5, PalNormalization.Cosine) - Loss(attribution,
            PalNormalization.Cosine)), Is.GreaterThan(0.1), "a constant added to the map changes the cosine");
    }

    [TestCase(ScalarType.Float64)]
    [TestCase(ScalarType.Float32)]
    public void A_zero_map_or_a_zero_heatmap_gives_zero_and_a_finite_zero_gradient(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var attribution = randn(3, 2, 4, 4, dtype);
        attribution[1] = zeros(2, 4, 4, dtype); // sample 1: a zero map
        var heatmap = rand(3, 1, 4, 4, dtype);
        heatmap[2] = zeros(1, 4, 4, dtype); // sample 2: a zero heatmap (no visible landmark)
        foreach (var strategy in new[] { ChannelStrategy.Mean, ChannelStrategy.AllChannels })
        {
            var leaf = attribution.detach().requires_grad_();
            var loss = PalFunctional.pal_loss(leaf, heatmap, strategy, PalNormalization.Cosine, nn.Reduction.None);
            var gradient = autograd.grad([loss.sum()], [leaf])[0];
            var values = Values(gradient);
            Assert.That(values, Is.All.Matches<double>(double.IsFinite), $"{strategy}: gradient finite");
            Assert.That(Scalar(loss[1]), Is.Zero, $"{strategy}: zero map");
            Assert.That(Scalar(loss[2]), Is.Zero, $"{strategy}: zero heatmap");
            Assert.That(Values(gradient[1]), Is.All.Zero, $"{strategy}: gradient of the zero map");
            Assert.That(Values(gradient[2]), Is.All.Zero, $"{strategy}: gradient with the zero heatmap");
            Assert.That(Values(gradient[0]).Any(v => v != 0), Is.True, $"{strategy}: sample 0 still trains");
        }

        // Every map zero: the whole loss is 0 with a zero gradient.
        var allZero = zeros(2, 3, 4, 4, dtype).requires_grad_();
        var none = PalFunctional.pal_loss(allZero, heatmap[..2], normalization: PalNormalization.Cosine);
        Assert.That(Scalar(none), Is.Zero);
        Assert.That(Values(autograd.grad([none], [allZero])[0]), Is.All.Zero);
    }

    [Test]
    public void Gradient_matches_float64_central_differences_with_maps_of_both_signs()
    {
        using var scope = NewDisposeScope();
        manual_seed(6);
        var attribution = (randn(2, 3, 4, 5, ScalarType.Float64) - 0.3).requires_grad_();
        var heatmap = rand(2, 1, 4, 5, ScalarType.Float64);
        var strategy = ChannelStrategy.AllChannels;
        var loss = PalFunctional.pal_loss(attribution, heatmap, strategy, PalNormalization.Cosine);
        var analytic = Values(autograd.grad([loss], [attribution])[0]);
        double F()
        {
            using var inner = NewDisposeScope();
            using var _ = no_grad();
            return Scalar(PalFunctional.pal_loss(attribution, heatmap, strategy, PalNormalization.Cosine));
        }

        var numeric = CentralDifferences(F, attribution, Enumerable.Range(0, 120).Select(i => (long)i).ToArray());
        AssertClose(analytic, numeric, 1e-6, 1e-9, "d cosine / d attribution");
    }

    /// <summary>The cosine term of (scale · attribution) per sample, and its gradient with respect to the unscaled
    /// attribution, both in float64.</summary>
    private static (Tensor Loss, Tensor Gradient) LossAndGradient(Tensor attribution, Tensor heatmap, double scale)
    {
        var leaf = attribution.detach().requires_grad_();
        var loss = PalFunctional.pal_loss(leaf * scale, heatmap, ChannelStrategy.AllChannels,
            PalNormalization.Cosine, nn.Reduction.None);
        var gradient = autograd.grad([loss.sum()], [leaf])[0];
        return (loss.to(ScalarType.Float64), gradient.to(ScalarType.Float64));
    }
}
