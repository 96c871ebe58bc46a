using TorchSharp;
using static TorchSharp.torch;
using static PrivilegedAttribution.Tests.Numerics;

namespace PrivilegedAttribution.Tests;

public sealed class AttributionMapTests
{
    private static readonly double[,] ClassWeights = { { 1, 2, 3, 4 }, { -1, 0.5, 2, -3 } };

    private static Tensor Input() => tensor(new[] { 1.0, -2.0, 0.5, 3.0, -1.0, 2.0, 4.0, -0.25 }).reshape(2, 1, 2, 2);

    [Test]
    public void Gradient_times_activation_matches_the_hand_computed_map()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.HandModel(ClassWeights);
        using var attribution = new AttributionMap(model, "conv");
        var x = Input();
        var target = tensor(new long[] { 0, 1 });
        var map = attribution.call(model.call(x), target);
        // G ⊙ A = W[t] ⊙ ReLU(2x), with the activation taken before the in-place ReLU.
        var expected = new[] { 1 * 2.0, 0, 3 * 1.0, 4 * 6.0, 0, 0.5 * 4.0, 2 * 8.0, 0 };
        Assert.That(Values(map), Is.EqualTo(expected).Within(1e-12));
    }

    [Test]
    public void The_captured_activation_is_the_layer_output_before_downstream_in_place_ops()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.HandModel(ClassWeights, inplace: true);
        using var tap = new LayerTap(model, "conv");
        var logits = model.call(Input());
        var activation = tap.TakeActivation();
        // The in-place ReLU would have zeroed the negative entries of A = 2x.
        Assert.That(Values(activation), Is.EqualTo(Values(Input() * 2)).Within(1e-12));
        // And the model's own output is unaffected by the copy.
        using var plain = TinyModels.HandModel(ClassWeights, inplace: false);
        Assert.That(Values(logits), Is.EqualTo(Values(plain.call(Input()))).Within(1e-12));
    }

    [Test]
    public void Each_method_combines_gradient_and_activation_as_named()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.HandModel(ClassWeights);
        using var tap = new LayerTap(model, "conv");
        var target = tensor(new long[] { 1, 1 });
        var logits = model.call(Input());
        var a = tap.TakeActivation();
        var g = autograd.grad([logits[.., 1].sum()], [a], retain_graph: true)[0];
        var cases = new Dictionary<AttributionMethod, Tensor>
        {
            [AttributionMethod.GradientXActivation] = g * a,
            [AttributionMethod.Gradient] = g,
            [AttributionMethod.AbsGradientXActivation] = g.abs() * a,
        };
        foreach (var (method, expected) in cases)
        {
            var map = PalFunctional.attribution_map(logits, a, target, method);
            AssertClose(map, expected, 0, 1e-15, $"{method}");
        }
    }

    [Test]
    public void Each_target_kind_differentiates_its_score()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.HandModel(ClassWeights, inplace: false);
        using var tap = new LayerTap(model, "conv");
        var logits = model.call(Input());
        var a = tap.TakeActivation();
        var predicted = logits.argmax(1);
        var scores = new Dictionary<AttributionTarget, Tensor>
        {
            [AttributionTarget.TrueClass] = logits.gather(1, tensor(new long[] { 1, 0 }).unsqueeze(1)).sum(),
            [AttributionTarget.PredictedClass] = logits.gather(1, predicted.unsqueeze(1)).sum(),
            [AttributionTarget.SumOfLogits] = logits.sum(),
            [AttributionTarget.SumOfLogProbabilities] = nn.functional.log_softmax(logits, 1).sum(),
        };
        foreach (var (kind, score) in scores)
        {
            var expected = autograd.grad([score], [a], retain_graph: true)[0] * a;
            var map = PalFunctional.attribution_map(logits, a, tensor(new long[] { 1, 0 }), targetKind: kind);
            AssertClose(map, expected, 1e-12, 1e-14, $"{kind}");
        }
    }

    [Test]
    public void Hook_path_equals_hook_free_path()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.SmallCnn();
        using var hooked = new AttributionMap(model, "conv3");
        using var tap = new LayerTap(model, "conv3");
        var x = randn(3, 1, 8, 8, ScalarType.Float64);
        var target = tensor(new long[] { 0, 2, 1 });
        model.eval();
        var logits = model.call(x);
        var viaHook = hooked.call(logits, target);
        using var hookFree = new AttributionMap();
        var viaActivation = hookFree.forward(logits, tap.TakeActivation(), target);
        AssertClose(viaHook, viaActivation, 0, 0, "hook vs hook-free");
    }

    [Test]
    public void The_attribution_carries_a_graph_to_the_weights()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.SmallCnn();
        using var attribution = new AttributionMap(model, "conv3");
        var map = attribution.call(model.call(randn(2, 1, 8, 8, ScalarType.Float64)), tensor(new long[] { 0, 1 }));
        Assert.That(map.requires_grad, Is.True);
        var fcWeight = model.named_parameters().Single(p => p.name == "fc.weight").parameter;
        var gradient = autograd.grad([map.square().sum()], [fcWeight])[0];
        Assert.That(Scalar(gradient.abs().sum()), Is.GreaterThan(0), "fc only reaches the map through G");
    }

    [Test]
    public void Hooks_are_removed_on_dispose()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.SmallCnn();
        var tap = new LayerTap(model, "conv3");
        var attribution = new AttributionMap(model, "conv2");
        model.call(randn(1, 1, 8, 8, ScalarType.Float64));
        Assert.That(tap.HasActivation, Is.True);
        tap.Dispose();
        attribution.Dispose();
        var witness = new LayerTap(model, "conv3");
        model.call(randn(1, 1, 8, 8, ScalarType.Float64));
        Assert.That(witness.HasActivation, Is.True);
        Assert.That(tap.HasActivation, Is.False, "a disposed tap must not capture");
        Assert.Throws<ObjectDisposedException>(() => tap.TakeActivation());
        Assert.Throws<ObjectDisposedException>(() => attribution.call(randn(1, 3, ScalarType.Float64),
            tensor(new long[] { 0 })));
        witness.Dispose();
    }

    [Test]
    public void Several_layers_at_once_equal_one_layer_at_a_time()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.SmallCnn();
        using var tap2 = new LayerTap(model, "conv2");
        using var tap3 = new LayerTap(model, "conv3");
        var x = randn(2, 1, 8, 8, ScalarType.Float64);
        var target = tensor(new long[] { 1, 2 });
        var logits = model.call(x);
        var (a2, a3) = (tap2.TakeActivation(), tap3.TakeActivation());
        var both = PalFunctional.attribution_maps(logits, [a2, a3], target);
        AssertClose(both[0], PalFunctional.attribution_map(logits, a2, target), 0, 1e-15, "conv2");
        AssertClose(both[1], PalFunctional.attribution_map(logits, a3, target), 0, 1e-15, "conv3");
    }
}
