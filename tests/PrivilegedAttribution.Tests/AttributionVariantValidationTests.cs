using TorchSharp;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Tests;

/// <summary>The combinations of method, order and layer whose loss could not train anything, or nothing
/// meaningful, are refused with a message naming the argument and the reason.</summary>
public sealed class AttributionVariantValidationTests
{
    [Test]
    public void Gradient_without_the_second_order_is_refused_by_the_functional_forms()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.SmallCnn();
        using var tap = new LayerTap(model, "conv3");
        var (x, labels, _) = FirstOrderVariantTests.DigitBatch();
        var logits = model.call(x);
        var a = tap.TakeActivation();
        var error = Assert.Throws<ArgumentException>(() => PalFunctional.attribution_map(logits, a, labels,
            AttributionMethod.Gradient, secondOrder: false));
        Assert.That(error!.ParamName, Is.EqualTo("secondOrder"));
        Assert.That(error.Message, Does.Contain("Gradient").And.Contain("could not reach the weights"));

        var weight = randn(3, 5, ScalarType.Float64);
        var head = Assert.Throws<ArgumentException>(() => PalFunctional.attribution_map_global_pool_linear(logits, a,
            weight, labels, AttributionMethod.Gradient, secondOrder: false));
        Assert.That(head!.ParamName, Is.EqualTo("secondOrder"));

        using var map = new AttributionMap(model, "conv3", AttributionMethod.Gradient) { SecondOrder = false };
        var module = Assert.Throws<ArgumentException>(() => map.forward(model.call(x), labels));
        Assert.That(module!.ParamName, Is.EqualTo("secondOrder"));
    }

    [Test]
    public void An_undefined_method_is_refused_before_any_work()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.SmallCnn();
        using var tap = new LayerTap(model, "conv3");
        var (x, labels, _) = FirstOrderVariantTests.DigitBatch();
        var logits = model.call(x);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => PalFunctional.attribution_map(logits,
            tap.TakeActivation(), labels, (AttributionMethod)42));
        Assert.That(error!.ParamName, Is.EqualTo("method"));
        var objective = Assert.Throws<ArgumentOutOfRangeException>(() => _ = new PalObjective(model,
            [new PalLayer("conv3", 1)], new HeatmapPrior(8, 8, 1.5), (AttributionMethod)42));
        Assert.That(objective!.ParamName, Is.EqualTo("method"));
    }

    [TestCase(AttributionMethod.GradCam, "colour channels")]
    [TestCase(AttributionMethod.Activation, "the image itself")]
    public void Grad_cam_and_the_activation_are_refused_at_the_input(AttributionMethod method, string reason)
    {
        using var model = TinyModels.SmallCnn();
        var error = Assert.Throws<ArgumentException>(() => _ = new PalObjective(model,
            [new PalLayer(PalLayer.Input, 1)], new HeatmapPrior(8, 8, 1.5), method));
        Assert.That(error!.ParamName, Is.EqualTo("layers"));
        Assert.That(error.Message, Does.Contain($"AttributionMethod.{method}").And.Contain("PalLayer.Input")
            .And.Contain(reason));
    }

    [Test]
    public void The_first_order_is_refused_with_the_gradient_method_and_at_the_input()
    {
        using var model = TinyModels.SmallCnn();
        using var prior = new HeatmapPrior(8, 8, 1.5);
        var gradient = Assert.Throws<ArgumentException>(() => _ = new PalObjective(model,
            [new PalLayer("conv3", 1) { SecondOrder = false }], prior, AttributionMethod.Gradient));
        Assert.That(gradient!.ParamName, Is.EqualTo("layers"));
        Assert.That(gradient.Message, Does.Contain("'conv3'").And.Contain("SecondOrder = false")
            .And.Contain("AttributionMethod.Gradient"));
        var input = Assert.Throws<ArgumentException>(() => _ = new PalObjective(model,
            [new PalLayer(PalLayer.Input, 1) { SecondOrder = false }], prior));
        Assert.That(input!.ParamName, Is.EqualTo("layers"));
        Assert.That(input.Message, Does.Contain("PalLayer.Input").And.Contain("SecondOrder = false"));
        Assert.DoesNotThrow(() => new PalObjective(model,
            [new PalLayer("conv3", 1) { SecondOrder = false }], prior, AttributionMethod.Activation).Dispose(),
            "the activation computes no gradient: the order does not apply");
    }

    [Test]
    public void The_hook_free_objective_applies_the_same_rules()
    {
        var error = Assert.Throws<ArgumentException>(() => _ = new PalObjective(
            forward: x => (x, []), [new PalLayer(PalLayer.Input, 1)], new HeatmapPrior(8, 8, 1.5),
            AttributionMethod.GradCam));
        Assert.That(error!.ParamName, Is.EqualTo("layers"));
    }
}
