using CsCheck;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Tests.PropertyTests;

/// <summary>Per-sample PAL (<see cref="nn.Reduction.None"/>) depends on each sample alone: permuting the batch
/// permutes the losses the same way.</summary>
public sealed class PalBatchPermutationProperties
{
    [Test]
    public void Per_sample_PAL_follows_a_permutation_of_the_batch()
    {
        var gen =
            from batch in Gen.Int[2, 6]
            from channels in Gen.Int[1, 4]
            from height in Gen.Int[2, 5]
            from width in Gen.Int[2, 5]
            from strategy in GeneratedCases.Strategy
            from normalization in Gen.Enum<PalNormalization>()
            from seed in GeneratedCases.Seed
            select (batch, channels, height, width, strategy, normalization, seed);
        GeneratedCases.Check(gen, c =>
        {
            using var scope = NewDisposeScope();
            var attribution = GeneratedCases.Normal(c.seed, c.batch, c.channels, c.height, c.width);
            var heatmap = GeneratedCases.Uniform(c.seed + 1, c.batch, 1, c.height, c.width);
            var permutation = randperm(c.batch, generator: new Generator((ulong)c.seed + 2));
            var losses = PalFunctional.pal_loss(attribution, heatmap, c.strategy, c.normalization,
                nn.Reduction.None);
            var permuted = PalFunctional.pal_loss(attribution[permutation], heatmap[permutation], c.strategy,
                c.normalization, nn.Reduction.None);
            var difference = (permuted - losses[permutation]).abs().max().item<double>();
            Assert.That(difference, Is.LessThanOrEqualTo(1e-12),
                $"per-sample PAL did not follow the permutation ({c})");
        }, stream: 2);
    }
}
