using TorchSharp;
using static TorchSharp.torch;
using static PrivilegedAttribution.Tests.ObjectiveFixtures;
using static PrivilegedAttribution.Tests.Numerics;

namespace PrivilegedAttribution.Tests;

/// <summary>
/// <see cref="PalObjective"/> takes shortcuts the functional forms do not (the labels' range is checked once per
/// batch, not once for the cross-entropy and again for the attribution; the tap may hand the model the layer's own
/// output instead of a copy). Each must leave the objective and its gradient with respect to every parameter equal
/// to the straightforward functional path, in float64, on TorchVision's ResNet-18 in training mode.
/// </summary>
public sealed class PalObjectiveFastPathTests
{
    [TestCase("layer3", "Mean")]
    [TestCase("layer2", "AllChannels")]
    public void The_objective_equals_the_straightforward_functional_path(string layerName, string strategyName)
    {
        using var scope = NewDisposeScope();
        using var model = ResNet18();
        var (x, labels, landmarks) = FaceBatch();
        using var prior = new HeatmapPrior(48, 48, 4);
        var strategy = ChannelStrategy.Parse(strategyName);
        var (actualTotal, actual) = TotalAndGradients(model, [new PalLayer(layerName, 0.5, strategy)], prior, x,
            labels, landmarks);

        // The same objective written out with the functional forms, as a user would.
        double expectedTotal;
        Tensor[] expected;
        using (var tap = new LayerTap(model, layerName))
        {
            var logits = model.call(x);
            var crossEntropy = nn.functional.cross_entropy(logits, labels);
            var attribution = PalFunctional.attribution_map(logits, tap.TakeActivation(), labels);
            var heatmap = PalFunctional.landmark_heatmap(landmarks, 48, 48, attribution.shape[2],
                attribution.shape[3], 4);
            var total = crossEntropy + 0.5 * PalFunctional.pal_loss(attribution, heatmap, strategy);
            expectedTotal = Scalar(total);
            expected = autograd.grad([total], model.parameters().Cast<Tensor>().ToList(), allow_unused: true)
                .ToArray();
        }

        Assert.That(actualTotal, Is.EqualTo(expectedTotal).Within(1e-12 * (1 + Math.Abs(expectedTotal))));
        AssertSameGradients(model, actual, expected, 1e-10);
    }

    [TestCase("layer1")]
    [TestCase("layer3")]
    public void Without_the_tap_copy_the_objective_is_unchanged_where_nothing_downstream_is_in_place(string layer)
    {
        // A ResNet stage's output feeds the next stage's convolutions and shortcut, never an in-place operation,
        // so the defensive copy can be skipped there (cloneOutputs: false).
        using var scope = NewDisposeScope();
        using var model = ResNet18();
        var (x, labels, landmarks) = FaceBatch();
        using var prior = new HeatmapPrior(48, 48, 4);
        PalLayer[] layers = [new(layer, 0.5, ChannelStrategy.FirstFraction(0.5))];
        var (expectedTotal, expected) = TotalAndGradients(model, layers, prior, x, labels, landmarks);
        var (actualTotal, actual) = TotalAndGradients(model, layers, prior, x, labels, landmarks,
            cloneOutputs: false);
        Assert.That(actualTotal, Is.EqualTo(expectedTotal).Within(1e-13 * (1 + Math.Abs(expectedTotal))));
        AssertSameGradients(model, actual, expected, 1e-12);
    }

    [Test]
    public void Labels_out_of_range_are_still_reported_once_checked_only_once()
    {
        using var scope = NewDisposeScope();
        using var model = PooledCnn();
        using var objective = new PalObjective(model,
            [new PalLayer("block", 1.0) { Head = new GlobalPoolLinearHead("fc") }, new PalLayer("stem", 1.0)],
            new HeatmapPrior(8, 8, 2));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => objective.Compute(
            randn(2, 1, 8, 8, ScalarType.Float64), tensor(new long[] { 0, 3 }),
            rand(2, 4, 2, ScalarType.Float64) * 8))!;
        Assert.That(error.ParamName, Is.EqualTo("labels"));
        Assert.That(error.Message, Does.Contain("[0, 3)"));
    }
}
