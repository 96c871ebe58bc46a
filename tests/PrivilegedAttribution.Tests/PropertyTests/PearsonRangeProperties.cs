using CsCheck;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Tests.PropertyTests;

/// <summary>Pearson-normalised PAL is a negated mean of correlations: each sample's loss lies in [−1, 1], with
/// constant maps (zero) among the generated ones.</summary>
public sealed class PearsonRangeProperties
{
    [Test]
    public void Pearson_PAL_lies_between_minus_one_and_one()
    {
        var gen =
            from batch in Gen.Int[1, 4]
            from channels in Gen.Int[1, 4]
            from height in Gen.Int[1, 6]
            from width in Gen.Int[2, 6] // at least two positions: 1×1 maps are refused
            from exponent in Gen.Double[-6, 6]
            from constantChannels in Gen.Bool
            from strategy in GeneratedCases.Strategy
            from seed in GeneratedCases.Seed
            select (batch, channels, height, width, exponent, constantChannels, strategy, seed);
        GeneratedCases.Check(gen, c =>
        {
            using var scope = NewDisposeScope();
            var attribution = GeneratedCases.Normal(c.seed, c.batch, c.channels, c.height, c.width) *
                              Math.Pow(10, c.exponent);
            if (c.constantChannels)
            {
                attribution.select(1, 0).fill_(3.0);
            }

            var heatmap = GeneratedCases.Uniform(c.seed + 1, c.batch, 1, c.height, c.width);
            var losses = PalFunctional.pal_loss(attribution, heatmap, c.strategy, PalNormalization.Pearson,
                nn.Reduction.None);
            var (low, high) = (losses.min().item<double>(), losses.max().item<double>());
            Assert.That(low >= -1 - 1e-12 && high <= 1 + 1e-12, Is.True,
                $"Pearson PAL in [{low:R}, {high:R}] ({c})");
        }, stream: 4);
    }
}
