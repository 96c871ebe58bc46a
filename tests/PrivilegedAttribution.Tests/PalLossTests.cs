using TorchSharp;
using static TorchSharp.torch;
using static PrivilegedAttribution.Tests.Numerics;

namespace PrivilegedAttribution.Tests;

public sealed class PalLossTests
{
    // Three channels of two pixels; worked by hand below. Heatmap [0, 1] standardises to [−1, 1].
    //   channel 0 [1, 3], channel 1 [2, 6], channel 2 [9, 0]
    //   Mean:               [4, 3]     → z = [ 1, −1]
    //   FirstFraction(½):   ⌈1.5⌉ = 2 channels, [1.5, 4.5] → z = [−1, 1]
    //   FirstFraction(0.3): ⌈0.9⌉ = 1 channel,  [1, 3]     → z = [−1, 1]
    //   AllChannels: z = [−1, 1], [−1, 1], [1, −1]
    private static Tensor HandAttribution() =>
        tensor(new double[] { 1, 3, 2, 6, 9, 0 }).reshape(1, 3, 1, 2);

    private static Tensor HandHeatmap() => tensor(new double[] { 0, 1 }).reshape(1, 1, 1, 2);

    private static IEnumerable<TestCaseData> HandCases()
    {
        yield return new TestCaseData(ChannelStrategy.Mean, PalNormalization.Pearson, 1.0);
        yield return new TestCaseData(ChannelStrategy.Mean, PalNormalization.CrossCorrelation, 1.0);
        yield return new TestCaseData(ChannelStrategy.FirstFraction(0.5), PalNormalization.Pearson, -1.0);
        yield return new TestCaseData(ChannelStrategy.FirstFraction(0.5), PalNormalization.CrossCorrelation, -1.0);
        yield return new TestCaseData(ChannelStrategy.FirstFraction(0.3), PalNormalization.Pearson, -1.0);
        // Pearson: mean of (−1, −1, +1); cross-correlation: sum of the same terms.
        yield return new TestCaseData(ChannelStrategy.AllChannels, PalNormalization.Pearson, -1.0 / 3.0);
        yield return new TestCaseData(ChannelStrategy.AllChannels, PalNormalization.CrossCorrelation, -1.0);
    }

    [TestCaseSource(nameof(HandCases))]
    public void Matches_hand_computed_value(ChannelStrategy strategy, PalNormalization normalization, double expected)
    {
        using var scope = NewDisposeScope();
        var loss = PalFunctional.pal_loss(HandAttribution(), HandHeatmap(), strategy, normalization);
        Assert.That(Scalar(loss), Is.EqualTo(expected).Within(1e-12));
    }

    [Test]
    public void Every_reduction_combines_the_per_sample_values()
    {
        using var scope = NewDisposeScope();
        // Sample 1 has the heatmap scaled by 2: Pearson is scale-free, cross-correlation doubles.
        var attribution = cat([HandAttribution(), HandAttribution()], 0);
        var heatmap = cat([HandHeatmap(), HandHeatmap() * 2], 0);
        var none = PalFunctional.pal_loss(attribution, heatmap, normalization: PalNormalization.CrossCorrelation,
            reduction: nn.Reduction.None);
        Assert.That(Values(none), Is.EqualTo(new[] { 1.0, 2.0 }).Within(1e-12));
        var mean = PalFunctional.pal_loss(attribution, heatmap, normalization: PalNormalization.CrossCorrelation);
        Assert.That(Scalar(mean), Is.EqualTo(1.5).Within(1e-12));
        var sum = PalFunctional.pal_loss(attribution, heatmap, normalization: PalNormalization.CrossCorrelation,
            reduction: nn.Reduction.Sum);
        Assert.That(Scalar(sum), Is.EqualTo(3.0).Within(1e-12));
        var pearson = PalFunctional.pal_loss(attribution, heatmap, reduction: nn.Reduction.None);
        Assert.That(Values(pearson), Is.EqualTo(new[] { 1.0, 1.0 }).Within(1e-12));
    }

    [Test]
    public void Pearson_terms_lie_in_minus_one_to_one_and_reach_minus_one_for_the_heatmap_itself()
    {
        using var scope = NewDisposeScope();
        var heatmap = rand(4, 1, 7, 7, ScalarType.Float64);
        var perfect = PalFunctional.pal_loss(heatmap.expand(4, 3, 7, 7) * 5 + 2, heatmap,
            ChannelStrategy.AllChannels, reduction: nn.Reduction.None);
        Assert.That(Values(perfect), Is.All.EqualTo(-1.0).Within(1e-12));
        var random = PalFunctional.pal_loss(randn(16, 8, 7, 7, ScalarType.Float64), rand(16, 1, 7, 7,
            ScalarType.Float64), ChannelStrategy.AllChannels, reduction: nn.Reduction.None);
        Assert.That(Values(random), Is.All.InRange(-1.0, 1.0));
    }

    private static IEnumerable<TestCaseData> AllConfigurations()
    {
        foreach (var strategy in new[] { ChannelStrategy.Mean, ChannelStrategy.AllChannels,
                     ChannelStrategy.FirstFraction(0.5), ChannelStrategy.FirstFraction(0.3) })
        {
            foreach (var normalization in Enum.GetValues<PalNormalization>())
            {
                yield return new TestCaseData(strategy, normalization);
            }
        }
    }

    [TestCaseSource(nameof(AllConfigurations))]
    public void Gradient_matches_float64_central_differences(ChannelStrategy strategy, PalNormalization normalization)
    {
        using var scope = NewDisposeScope();
        var attribution = randn(2, 5, 3, 4, ScalarType.Float64).requires_grad_();
        var heatmap = rand(2, 1, 3, 4, ScalarType.Float64);
        var loss = PalFunctional.pal_loss(attribution, heatmap, strategy, normalization);
        var analytic = Values(autograd.grad([loss], [attribution])[0]);
        double F()
        {
            using var inner = NewDisposeScope();
            using var _ = no_grad();
            return Scalar(PalFunctional.pal_loss(attribution, heatmap, strategy, normalization));
        }

        var numeric = CentralDifferences(F, attribution, Enumerable.Range(0, 120).Select(i => (long)i).ToArray());
        AssertClose(analytic, numeric, 1e-6, 1e-8, $"dPAL/dattribution {strategy} {normalization}");
    }

    [Test]
    public void A_constant_map_or_heatmap_gives_zero_loss_and_zero_gradient()
    {
        using var scope = NewDisposeScope();
        var attribution = randn(3, 2, 4, 4, ScalarType.Float64);
        attribution[1] = full(2, 4, 4, 7.0, ScalarType.Float64); // sample 1: a constant map
        attribution.requires_grad_();
        var heatmap = rand(3, 1, 4, 4, ScalarType.Float64);
        heatmap[2] = zeros(1, 4, 4, ScalarType.Float64); // sample 2: a constant (empty) heatmap
        // Cosine compares raw maps, so a constant map has a cosine like any other (CosineVariantTests: zero maps).
        foreach (var normalization in Enum.GetValues<PalNormalization>().Where(n => n != PalNormalization.Cosine))
        {
            var loss = PalFunctional.pal_loss(attribution, heatmap, normalization: normalization,
                reduction: nn.Reduction.None);
            var gradient = autograd.grad([loss.sum()], [attribution])[0];
            Assert.That(Scalar(loss[1]), Is.Zero, $"{normalization}: constant map");
            Assert.That(Values(gradient[1]), Is.All.Zero, $"{normalization}: gradient of the constant map");
            Assert.That(Values(gradient), Is.All.Matches<double>(double.IsFinite), $"{normalization}");
            if (normalization == PalNormalization.Pearson)
            {
                Assert.That(Scalar(loss[2]), Is.Zero, "constant heatmap");
                Assert.That(Values(gradient[2]), Is.All.Zero, "gradient with a constant heatmap");
            }
        }
    }

    private static readonly double[] Scales = [1e-30, 1e-9, 1e-7, 1e-5, 1e-3, 1, 1e3, 1e9, 1e30];

    [TestCase(ScalarType.Float64)]
    [TestCase(ScalarType.Float32)]
    public void Pal_is_scale_free_from_1e_minus_30_to_1e30(ScalarType dtype)
    {
        // A correlation does not depend on the attribution's scale: PAL(c·A) = PAL(A), and the gradient with respect
        // to A of PAL(c·A) is PAL'(A). An absolute variance threshold once switched PAL off at c = 1e-7.
        using var scope = NewDisposeScope();
        var attribution = randn(2, 4, 5, 5, ScalarType.Float64);
        var heatmap = rand(2, 1, 5, 5, ScalarType.Float64);
        var (rtol, atol) = dtype == ScalarType.Float64 ? (1e-10, 1e-12) : (1e-4, 1e-6);
        foreach (var normalization in Enum.GetValues<PalNormalization>())
        {
            var (reference, referenceGradient) = LossAndGradient(attribution, heatmap, 1.0, normalization);
            foreach (var scale in Scales)
            {
                var (loss, gradient) = LossAndGradient(attribution.to(dtype), heatmap.to(dtype), scale, normalization);
                var what = $"{normalization} at scale {scale:G1} in {dtype}";
                AssertClose(loss, reference, rtol, atol, $"loss, {what}");
                Assert.That(Values(loss), Is.All.Not.EqualTo(0.0), $"PAL switched off, {what}");
                AssertClose(gradient, referenceGradient, 10 * rtol, 10 * atol * Values(referenceGradient).Max(Math.Abs),
                    $"gradient, {what}");
            }
        }
    }

    [TestCase(ScalarType.Float64)]
    [TestCase(ScalarType.Float32)]
    public void A_truly_constant_map_gives_zero_and_a_zero_gradient_at_every_scale(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var heatmap = rand(2, 1, 5, 5, dtype);
        foreach (var scale in Scales.Append(0.0))
        {
            var attribution = full(2, 3, 5, 5, scale, dtype).requires_grad_();
            var loss = PalFunctional.pal_loss(attribution, heatmap, ChannelStrategy.AllChannels);
            var gradient = autograd.grad([loss], [attribution])[0];
            Assert.That(Scalar(loss), Is.EqualTo(0.0), $"loss at {scale:G1}");
            Assert.That(Values(gradient), Is.All.EqualTo(0.0), $"gradient at {scale:G1}");
        }
    }

    /// <summary>PAL of (scale · attribution) per sample, and its gradient with respect to the unscaled attribution,
    /// both in float64.</summary>
    private static (Tensor Loss, Tensor Gradient) LossAndGradient(Tensor attribution, Tensor heatmap, double scale,
        PalNormalization normalization)
    {
        var leaf = attribution.detach().requires_grad_();
        var loss = PalFunctional.pal_loss(leaf * scale, heatmap, ChannelStrategy.AllChannels, normalization,
            nn.Reduction.None);
        // d/dA PAL(c·A) = c·PAL'(c·A): the product, taken in float64, is what equals PAL'(A).
        var gradient = autograd.grad([loss.sum()], [leaf])[0];
        return (loss.to(ScalarType.Float64), gradient.to(ScalarType.Float64));
    }

    [Test]
    public void One_by_one_maps_are_an_error_not_a_silent_zero()
    {
        using var scope = NewDisposeScope();
        var error = Assert.Throws<ArgumentException>(() =>
            PalFunctional.pal_loss(randn(2, 3, 1, 1), rand(2, 1, 1, 1)));
        Assert.That(error!.ParamName, Is.EqualTo("attribution"));
        Assert.That(error.Message, Does.Contain("1×1").And.Contain("[2, 3, 1, 1]"));
    }

    [Test]
    public void A_non_finite_attribution_or_heatmap_is_an_error_naming_the_sample()
    {
        using var scope = NewDisposeScope();
        var attribution = randn(3, 2, 4, 4);
        var heatmap = rand(3, 1, 4, 4);
        var badAttribution = attribution.clone();
        badAttribution[1, 0, 2, 2] = tensor(float.NaN);
        var error = Assert.Throws<ArgumentException>(() => PalFunctional.pal_loss(badAttribution, heatmap));
        Assert.That(error!.ParamName, Is.EqualTo("attribution"));
        Assert.That(error.Message, Does.Contain("sample 1").And.Contain("SetMkldnnEnabled"));
        var badHeatmap = heatmap.clone();
        badHeatmap[2, 0, 0, 0] = tensor(float.PositiveInfinity);
        error = Assert.Throws<ArgumentException>(() => PalFunctional.pal_loss(attribution, badHeatmap));
        Assert.That(error!.ParamName, Is.EqualTo("heatmap"));
        Assert.That(error.Message, Does.Contain("sample 2"));
    }

    [Test]
    public void Non_contiguous_inputs_give_the_same_loss()
    {
        using var scope = NewDisposeScope();
        var attribution = randn(2, 3, 6, 5, ScalarType.Float64).transpose(2, 3);
        var heatmap = rand(2, 1, 6, 5, ScalarType.Float64).transpose(2, 3);
        Assert.That(attribution.is_contiguous(), Is.False);
        foreach (var (strategy, normalization) in new[] { (ChannelStrategy.Mean, PalNormalization.Pearson),
                     (ChannelStrategy.AllChannels, PalNormalization.CrossCorrelation) })
        {
            var strided = PalFunctional.pal_loss(attribution, heatmap, strategy, normalization);
            var packed = PalFunctional.pal_loss(attribution.contiguous(), heatmap.contiguous(), strategy,
                normalization);
            Assert.That(Scalar(strided), Is.EqualTo(Scalar(packed)).Within(1e-12));
        }
    }

    [TestCaseSource(nameof(AllConfigurations))]
    public void Module_equals_functional(ChannelStrategy strategy, PalNormalization normalization)
    {
        using var scope = NewDisposeScope();
        var attribution = randn(3, 4, 5, 5, ScalarType.Float64);
        var heatmap = rand(3, 1, 5, 5, ScalarType.Float64);
        foreach (var reduction in Enum.GetValues<nn.Reduction>())
        {
            using var module = new PalLoss(strategy, normalization, reduction);
            var expected = PalFunctional.pal_loss(attribution, heatmap, strategy, normalization, reduction);
            AssertClose(module.call(attribution, heatmap), expected, 0, 0, $"{reduction}");
        }
    }

    [Test]
    public void Batch_results_equal_per_sample_results()
    {
        using var scope = NewDisposeScope();
        var attribution = randn(4, 3, 5, 6, ScalarType.Float64);
        var heatmap = rand(4, 1, 5, 6, ScalarType.Float64);
        var batch = PalFunctional.pal_loss(attribution, heatmap, reduction: nn.Reduction.None);
        for (var b = 0; b < 4; b++)
        {
            var single = PalFunctional.pal_loss(attribution[b..(b + 1)], heatmap[b..(b + 1)]);
            Assert.That(Scalar(single), Is.EqualTo(Scalar(batch[b])).Within(1e-12));
        }
    }

    [Test]
    public void Works_in_float32_float64_and_bfloat16()
    {
        using var scope = NewDisposeScope();
        var attribution = randn(2, 4, 6, 6, ScalarType.Float64);
        var heatmap = rand(2, 1, 6, 6, ScalarType.Float64);
        var reference = Scalar(PalFunctional.pal_loss(attribution, heatmap));
        foreach (var (dtype, tolerance) in new[] { (ScalarType.Float32, 1e-5), (ScalarType.BFloat16, 3e-2) })
        {
            var a = attribution.to(dtype).requires_grad_();
            var loss = PalFunctional.pal_loss(a, heatmap.to(dtype));
            Assert.That(loss.dtype, Is.EqualTo(dtype));
            Assert.That(Scalar(loss), Is.EqualTo(reference).Within(tolerance), $"{dtype}");
            var gradient = autograd.grad([loss], [a])[0];
            Assert.That(gradient.dtype, Is.EqualTo(dtype));
            Assert.That(Values(gradient), Is.All.Matches<double>(double.IsFinite), $"{dtype}");
        }
    }
}
