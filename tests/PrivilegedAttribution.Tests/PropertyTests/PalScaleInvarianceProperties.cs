using CsCheck;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Tests.PropertyTests;

/// <summary>PAL is scale-free: PAL(c·A) = PAL(A) for every c &gt; 0, whatever the strategy, normalisation and
/// shapes, from c = 1e-12 to 1e12 (float64).</summary>
public sealed class PalScaleInvarianceProperties
{
    [Test]
    public void Scaling_the_attribution_by_a_positive_factor_leaves_PAL_unchanged()
    {
        var gen =
            from batch in Gen.Int[1, 3]
            from channels in Gen.Int[1, 4]
            from height in Gen.Int[2, 6]
            from width in Gen.Int[2, 6]
            from exponent in Gen.Double[-12, 12]
            from strategy in GeneratedCases.Strategy
            from normalization in Gen.Enum<PalNormalization>()
            from seed in GeneratedCases.Seed
            select (batch, channels, height, width, exponent, strategy, normalization, seed);
        GeneratedCases.Check(gen, c =>
        {
            using var scope = NewDisposeScope();
            var attribution = GeneratedCases.Normal(c.seed, c.batch, c.channels, c.height, c.width);
            var heatmap = GeneratedCases.Uniform(c.seed + 1, c.batch, 1, c.height, c.width);
            var scale = Math.Pow(10, c.exponent);
            var loss = PalFunctional.pal_loss(attribution, heatmap, c.strategy, c.normalization,
                nn.Reduction.None);
            var scaled = PalFunctional.pal_loss(attribution * scale, heatmap, c.strategy, c.normalization,
                nn.Reduction.None);
            var difference = (scaled - loss).abs().max().item<double>();
            var size = loss.abs().max().item<double>();
            Assert.That(difference, Is.LessThanOrEqualTo(1e-9 * Math.Max(1, size)),
                $"PAL changed by {difference:G3} when A was scaled by {scale:G3} ({c})");
        }, stream: 1);
    }
}
