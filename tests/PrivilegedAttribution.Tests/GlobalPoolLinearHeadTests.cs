using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using static PrivilegedAttribution.Tests.Numerics;
using static PrivilegedAttribution.Tests.ObjectiveFixtures;

namespace PrivilegedAttribution.Tests;

/// <summary>
/// The closed form for a layer followed only by global average pooling and a linear layer (G = W[t]/(h·w), no
/// backward pass, no double backward) must equal the autograd path exactly: the attribution, PAL's value and PAL's
/// gradient with respect to every parameter (the linear layer's weights included, which PAL trains through G), in
/// float64, for every method and target kind, in training mode.
/// </summary>
public sealed class GlobalPoolLinearHeadTests
{
    private static IEnumerable<TestCaseData> MethodsAndTargets() =>
        from method in Enum.GetValues<AttributionMethod>()
        from target in Enum.GetValues<AttributionTarget>()
        select new TestCaseData(method, target);

    [TestCaseSource(nameof(MethodsAndTargets))]
    public void Closed_form_attribution_equals_the_autograd_attribution(AttributionMethod method,
        AttributionTarget target)
    {
        using var scope = NewDisposeScope();
        using var model = PooledCnn();
        model.train();
        using var tap = new LayerTap(model, "block");
        var (x, labels) = Batch();
        var logits = model.call(x);
        var a = tap.TakeActivation();
        var expected = PalFunctional.attribution_map(logits, a, labels, method, target);
        var fc = (Linear)model.named_modules().Single(m => m.name == "fc").module;
        var actual = PalFunctional.attribution_map_global_pool_linear(logits, a, fc.weight!, labels, method, target);
        Assert.That(actual.requires_grad, Is.True, "the closed form keeps the weight's graph");
        AssertClose(actual, expected, 1e-12, 1e-15 * (1 + Scalar(expected.abs().max())), $"{method} {target}");
    }

    [TestCaseSource(nameof(MethodsAndTargets))]
    public void Closed_form_pal_gradient_equals_the_second_order_autograd_gradient(AttributionMethod method,
        AttributionTarget target)
    {
        using var scope = NewDisposeScope();
        using var model = PooledCnn();
        model.train(); // BatchNorm couples the samples: the closed form must not care
        var (x, labels) = Batch();
        var landmarks = rand(3, 5, 2, ScalarType.Float64) * 8;
        using var prior = new HeatmapPrior(8, 8, 1.5);
        var layer = new PalLayer("block", 0.7, ChannelStrategy.AllChannels);
        var (autogradTotal, autogradGradients) = TotalAndGradients(model,
            [layer], prior, x, labels, landmarks, method, target);
        var (closedTotal, closedGradients) = TotalAndGradients(model,
            [layer with { Head = new GlobalPoolLinearHead("fc") }], prior, x, labels, landmarks, method, target);
        Assert.That(closedTotal, Is.EqualTo(autogradTotal).Within(1e-12 * (1 + Math.Abs(autogradTotal))));
        AssertSameGradients(model, closedGradients, autogradGradients, 1e-10);
    }

    [TestCase("Mean", PalNormalization.Pearson)]
    [TestCase("AllChannels", PalNormalization.CrossCorrelation)]
    [TestCase("FirstFraction(0.5)", PalNormalization.Pearson)]
    public void ResNet18_objective_at_layer4_with_the_head_equals_the_objective_without(string strategyName,
        PalNormalization normalization)
    {
        using var scope = NewDisposeScope();
        using var model = ResNet18();
        var strategy = ChannelStrategy.Parse(strategyName);
        var (x, labels, landmarks) = FaceBatch();
        using var prior = new HeatmapPrior(48, 48, 4);
        var layer = new PalLayer("layer4", 0.5, strategy, normalization);
        var (expectedTotal, expected) = TotalAndGradients(model, [layer], prior, x, labels, landmarks);
        var (actualTotal, actual) = TotalAndGradients(model, [layer with { Head = GlobalPoolLinearHead.ResNet }],
            prior, x, labels, landmarks);
        Assert.That(actualTotal, Is.EqualTo(expectedTotal).Within(1e-12 * (1 + Math.Abs(expectedTotal))));
        AssertSameGradients(model, actual, expected, 1e-9);
    }

    [Test]
    public void Closed_form_and_autograd_layers_mix_in_one_objective()
    {
        using var scope = NewDisposeScope();
        using var model = ResNet18();
        var (x, labels, landmarks) = FaceBatch();
        using var prior = new HeatmapPrior(48, 48, 4);
        PalLayer[] layers =
        [
            new("layer3", 0.3, ChannelStrategy.FirstFraction(0.5)),
            new("layer4", 0.6, ChannelStrategy.Mean, PalNormalization.CrossCorrelation),
        ];
        var (expectedTotal, expected) = TotalAndGradients(model, layers, prior, x, labels, landmarks);
        layers[1] = layers[1] with { Head = GlobalPoolLinearHead.ResNet };
        var (actualTotal, actual) = TotalAndGradients(model, layers, prior, x, labels, landmarks);
        Assert.That(actualTotal, Is.EqualTo(expectedTotal).Within(1e-12 * (1 + Math.Abs(expectedTotal))));
        AssertSameGradients(model, actual, expected, 1e-9);
    }

    [Test]
    public void A_head_that_is_not_what_the_model_computes_is_caught_on_the_first_batch()
    {
        using var scope = NewDisposeScope();
        // SmallCnn applies tanh between conv3 and the pooling: the closed form would be wrong there.
        using var model = TinyModels.SmallCnn();
        using var objective = new PalObjective(model,
            [new PalLayer("conv3", 1.0) { Head = new GlobalPoolLinearHead("fc") }], new HeatmapPrior(8, 8, 2));
        var error = Assert.Throws<InvalidOperationException>(() => objective.Compute(
            randn(2, 1, 8, 8, ScalarType.Float64), tensor(new long[] { 0, 2 }),
            rand(2, 4, 2, ScalarType.Float64) * 8))!;
        Assert.That(error.Message, Does.Contain("'conv3'").And.Contain("fc"));
    }

    [Test]
    public void The_head_must_name_a_linear_layer_of_the_model()
    {
        using var model = PooledCnn();
        using var prior = new HeatmapPrior(8, 8, 2);
        var missing = Assert.Throws<ArgumentException>(() => new PalObjective(model,
            [new PalLayer("block", 1.0) { Head = new GlobalPoolLinearHead("head") }], prior))!;
        Assert.That(missing.Message, Does.Contain("'head'"));
        var notLinear = Assert.Throws<ArgumentException>(() => new PalObjective(model,
            [new PalLayer("block", 1.0) { Head = new GlobalPoolLinearHead("gap") }], prior))!;
        Assert.That(notLinear.Message, Does.Contain("'gap'").And.Contain("Linear"));
    }

    [Test]
    public void The_functional_closed_form_checks_the_weight_shape()
    {
        using var scope = NewDisposeScope();
        var logits = randn(2, 3, ScalarType.Float64);
        var a = randn(2, 5, 4, 4, ScalarType.Float64);
        var error = Assert.Throws<ArgumentException>(() => PalFunctional.attribution_map_global_pool_linear(
            logits, a, randn(3, 4, ScalarType.Float64), tensor(new long[] { 0, 1 })))!;
        Assert.That(error.ParamName, Is.EqualTo("weight"));
        Assert.That(error.Message, Does.Contain("[3, 5]").And.Contain("[3, 4]"));
    }

    [Test]
    public void Closed_form_training_steps_leak_no_native_tensor()
    {
        using var pooled = PooledCnn(ScalarType.Float32);
        using var objective = new PalObjective(pooled,
            [new PalLayer("block", 0.5) { Head = new GlobalPoolLinearHead("fc") }, new PalLayer("stem", 0.2)],
            new HeatmapPrior(8, 8, 1.5));
        var optimizer = optim.SGD(pooled.parameters(), 0.01);
        using var x = randn(4, 1, 8, 8);
        using var labels = tensor(new long[] { 0, 1, 2, 1 });
        using var landmarks = rand(4, 5, 2) * 8;
        var (before, after) = TrainingLeaks.LiveTensors(objective, optimizer, x, labels, landmarks, steps: 20);
        Assert.That(after, Is.EqualTo(before));
    }

    private static (Tensor X, Tensor Labels) Batch()
    {
        manual_seed(3);
        return (randn(3, 1, 8, 8, ScalarType.Float64), tensor(new long[] { 2, 0, 1 }));
    }
}
