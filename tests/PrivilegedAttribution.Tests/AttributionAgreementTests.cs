using TorchSharp;
using static TorchSharp.torch;
using static PrivilegedAttribution.Tests.Numerics;

namespace PrivilegedAttribution.Tests;

/// <summary>Where a model looks: correlation with a prior, mass inside a region, the pointing game — on maps small
/// enough to score by hand.</summary>
public sealed class AttributionAgreementTests
{
    /// <summary>Sample 0: [[1, 2], [3, 4]]; sample 1: [[0, −8], [1, 1]] (one channel).</summary>
    private static Tensor HandAttribution() =>
        tensor(new double[] { 1, 2, 3, 4, 0, -8, 1, 1 }).reshape(2, 1, 2, 2);

    /// <summary>The top row of each sample.</summary>
    private static Tensor TopRow() => tensor(new[] { true, true, false, false, true, true, false, false })
        .reshape(2, 1, 2, 2);

    [Test]
    public void Correlation_is_one_with_itself_minus_one_with_its_negative_and_zero_for_a_constant_map()
    {
        using var scope = NewDisposeScope();
        var prior = rand(3, 1, 5, 5, ScalarType.Float64);
        Assert.That(Values(PalFunctional.attribution_correlation(prior * 1e-6, prior)),
            Is.All.EqualTo(1.0).Within(1e-12));
        Assert.That(Values(PalFunctional.attribution_correlation(-prior, prior)), Is.All.EqualTo(-1.0).Within(1e-12));
        Assert.That(Values(PalFunctional.attribution_correlation(ones_like(prior), prior)), Is.All.EqualTo(0.0));
    }

    [Test]
    public void Correlation_is_minus_pal_per_sample_and_carries_no_graph()
    {
        using var scope = NewDisposeScope();
        var attribution = randn(2, 4, 5, 5, ScalarType.Float64).requires_grad_();
        var prior = rand(2, 1, 5, 5, ScalarType.Float64);
        var correlation = PalFunctional.attribution_correlation(attribution, prior, ChannelStrategy.AllChannels);
        var pal = PalFunctional.pal_loss(attribution, prior, ChannelStrategy.AllChannels,
            reduction: nn.Reduction.None);
        AssertClose(correlation, -pal, 0, 1e-15, "correlation");
        Assert.That(correlation.requires_grad, Is.False);
    }

    [Test]
    public void Mass_in_mask_is_the_share_of_the_magnitude_inside_the_region()
    {
        using var scope = NewDisposeScope();
        var shares = PalFunctional.attribution_mass_in_mask(HandAttribution(), TopRow());
        // (1 + 2) / 10 and (0 + 8) / 10: the sign does not matter.
        Assert.That(Values(shares), Is.EqualTo(new[] { 0.3, 0.8 }).Within(1e-15));
    }

    [Test]
    public void Mass_in_mask_sums_the_channels_weights_soft_regions_and_scores_an_empty_attribution_zero()
    {
        using var scope = NewDisposeScope();
        // Two channels of sample 0 sum to [[2, 2], [4, 4]]; sample 1 is all zero.
        var attribution = tensor(new double[] { 1, 2, 3, 4, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0 }).reshape(2, 2, 2, 2);
        var soft = tensor(new double[] { 1, 0.5, 0, 0, 1, 1, 1, 1 }).reshape(2, 1, 2, 2);
        Assert.That(Values(PalFunctional.attribution_mass_in_mask(attribution, soft)),
            Is.EqualTo(new[] { 3.0 / 12, 0.0 }).Within(1e-15));
    }

    [Test]
    public void The_pointing_game_hits_when_the_largest_magnitude_lies_inside_the_region()
    {
        using var scope = NewDisposeScope();
        // Sample 0 peaks at (1, 1), outside the top row; sample 1 at (0, 1), where |−8| is largest.
        Assert.That(PalFunctional.pointing_game(HandAttribution(), TopRow()).data<bool>().ToArray(),
            Is.EqualTo(new[] { false, true }));
        Assert.That(PalFunctional.pointing_game(HandAttribution(), TopRow().logical_not()).data<bool>().ToArray(),
            Is.EqualTo(new[] { true, false }));
    }

    [Test]
    public void Batch_results_equal_per_sample_results_in_every_floating_dtype()
    {
        using var scope = NewDisposeScope();
        var attribution = randn(3, 4, 6, 6);
        var mask = rand(3, 1, 6, 6) > 0.7;
        var shares = PalFunctional.attribution_mass_in_mask(attribution, mask);
        for (var b = 0; b < 3; b++)
        {
            var single = PalFunctional.attribution_mass_in_mask(attribution.narrow(0, b, 1), mask.narrow(0, b, 1));
            Assert.That(Scalar(single), Is.EqualTo(Scalar(shares[b])).Within(1e-7));
        }

        foreach (var dtype in new[] { ScalarType.Float64, ScalarType.BFloat16 })
        {
            var other = PalFunctional.attribution_mass_in_mask(attribution.to(dtype), mask);
            AssertClose(other, shares, 2e-2, 1e-3, $"{dtype}");
        }
    }

    [Test]
    public void Bad_input_names_the_argument()
    {
        using var scope = NewDisposeScope();
        var attribution = randn(2, 3, 4, 4);
        Assert.That(Assert.Throws<ArgumentException>(() =>
            PalFunctional.attribution_mass_in_mask(attribution, ones(2, 1, 4, 5, ScalarType.Bool)))!.Message,
            Does.Contain("[2, 1, 4, 4]").And.Contain("[2, 1, 4, 5]"));
        Assert.That(Assert.Throws<ArgumentException>(() =>
            PalFunctional.pointing_game(attribution, ones(2, 1, 4, 4, ScalarType.Int64)))!.ParamName,
            Is.EqualTo("mask"));
        Assert.That(Assert.Throws<ArgumentException>(() =>
            PalFunctional.attribution_mass_in_mask(attribution, full(2, 1, 4, 4, 2.0)))!.Message,
            Does.Contain("[0, 1]"));
        var nan = attribution.clone();
        nan[1, 0, 0, 0] = tensor(float.NaN);
        Assert.That(Assert.Throws<ArgumentException>(() =>
            PalFunctional.attribution_mass_in_mask(nan, ones(2, 1, 4, 4, ScalarType.Bool)))!.Message,
            Does.Contain("sample 1"));
    }
}
