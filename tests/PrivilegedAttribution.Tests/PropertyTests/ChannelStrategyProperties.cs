using CsCheck;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Tests.PropertyTests;

/// <summary><see cref="ChannelStrategy.Mean"/> is the mean over all channels, which is what
/// <see cref="ChannelStrategy.FirstFraction"/>(1) takes too: the two give the same PAL.</summary>
public sealed class ChannelStrategyProperties
{
    [Test]
    public void Mean_equals_the_first_fraction_of_one()
    {
        var gen =
            from batch in Gen.Int[1, 3]
            from channels in Gen.Int[1, 6]
            from height in Gen.Int[2, 6]
            from width in Gen.Int[2, 6]
            from normalization in Gen.Enum<PalNormalization>()
            from seed in GeneratedCases.Seed
            select (batch, channels, height, width, normalization, seed);
        GeneratedCases.Check(gen, c =>
        {
            using var scope = NewDisposeScope();
            var attribution = GeneratedCases.Normal(c.seed, c.batch, c.channels, c.height, c.width);
            var heatmap = GeneratedCases.Uniform(c.seed + 1, c.batch, 1, c.height, c.width);
            var mean = PalFunctional.pal_loss(attribution, heatmap, ChannelStrategy.Mean, c.normalization,
                nn.Reduction.None);
            var firstFraction = PalFunctional.pal_loss(attribution, heatmap, ChannelStrategy.FirstFraction(1),
                c.normalization, nn.Reduction.None);
            var difference = (mean - firstFraction).abs().max().item<double>();
            Assert.That(difference, Is.LessThanOrEqualTo(1e-12), $"Mean and FirstFraction(1) differ ({c})");
        }, stream: 3);
    }
}
