using CsCheck;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Tests.PropertyTests;

/// <summary>PAL's gradient with respect to the attribution is finite for every finite input: attributions from
/// 1e-30 to 1e30 in size, constant or all-zero maps, constant heatmaps, every strategy and normalisation
/// (float64).</summary>
public sealed class PalGradientProperties
{
    [Test]
    public void The_gradient_is_finite_for_any_finite_input()
    {
        var gen =
            from batch in Gen.Int[1, 3]
            from channels in Gen.Int[1, 4]
            from height in Gen.Int[1, 6]
            from width in Gen.Int[2, 6] // at least two positions: 1×1 maps are refused
            from exponent in Gen.Double[-30, 30]
            from special in Gen.Int[0, 3]
            from strategy in GeneratedCases.Strategy
            from normalization in Gen.Enum<PalNormalization>()
            from seed in GeneratedCases.Seed
            select (batch, channels, height, width, exponent, special, strategy, normalization, seed);
        GeneratedCases.Check(gen, c =>
        {
            using var scope = NewDisposeScope();
            var values = GeneratedCases.Normal(c.seed, c.batch, c.channels, c.height, c.width) *
                         Math.Pow(10, c.exponent);
            var heatmap = GeneratedCases.Uniform(c.seed + 1, c.batch, 1, c.height, c.width);
            switch (c.special)
            {
                case 1:
                    values.select(1, 0).fill_(Math.Pow(10, c.exponent)); // a constant channel
                    break;
                case 2:
                    values.select(0, 0).zero_(); // an all-zero sample
                    break;
                case 3:
                    heatmap.select(0, 0).fill_(0.5); // a constant heatmap
                    break;
            }

            var attribution = values.requires_grad_();
            var loss = PalFunctional.pal_loss(attribution, heatmap, c.strategy, c.normalization);
            var gradient = autograd.grad(new[] { loss }, new[] { attribution })[0];
            Assert.Multiple(() =>
            {
                Assert.That(isfinite(loss).all().item<bool>(), Is.True, $"loss {loss.item<double>()} ({c})");
                Assert.That(isfinite(gradient).all().item<bool>(), Is.True, $"non-finite gradient ({c})");
            });
        }, stream: 7);
    }
}
