using TorchSharp;
using static TorchSharp.torch;
using static PrivilegedAttribution.Tests.Numerics;

namespace PrivilegedAttribution.Tests;

/// <summary>λ per term, changed between steps without rebuilding the objective.</summary>
public sealed class SetWeightTests
{
    [Test]
    public void A_new_weight_applies_to_the_next_step_and_to_that_term_only()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.SmallCnn();
        model.eval();
        using var objective = new PalObjective(model, [new PalLayer("conv2", 0.3), new PalLayer("conv3", 0.9)],
            new HeatmapPrior(8, 8, 1.5));
        var (x, labels, landmarks) = (randn(2, 1, 8, 8, ScalarType.Float64), tensor(new long[] { 0, 2 }),
            rand(2, 5, 2, ScalarType.Float64) * 8);
        var before = objective.Compute(x, labels, landmarks);
        objective.SetWeight("conv3", 2.5);
        var after = objective.Compute(x, labels, landmarks);

        Assert.That(objective.Layers.Select(l => l.Weight), Is.EqualTo(new[] { 0.3, 2.5 }));
        Assert.That(after.Terms.Select(t => t.Layer.Weight), Is.EqualTo(new[] { 0.3, 2.5 }));
        Assert.That(before.Terms.Select(t => t.Layer.Weight), Is.EqualTo(new[] { 0.3, 0.9 }), "a past step's record");
        var expected = after.Criterion + 0.3 * after.Terms[0].Loss + 2.5 * after.Terms[1].Loss;
        Assert.That(Scalar(after.Total), Is.EqualTo(Scalar(expected)).Within(1e-12));
        Assert.That(Scalar(after.Terms[1].Loss), Is.EqualTo(Scalar(before.Terms[1].Loss)).Within(1e-12));
    }

    [Test]
    public void Weight_zero_keeps_the_term_for_logging_but_out_of_the_gradient()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.SmallCnn();
        model.eval();
        using var objective = new PalObjective(model, [new PalLayer("conv3", 1.0)], new HeatmapPrior(8, 8, 1.5));
        var (x, labels, landmarks) = (randn(2, 1, 8, 8, ScalarType.Float64), tensor(new long[] { 0, 2 }),
            rand(2, 5, 2, ScalarType.Float64) * 8);
        objective.SetWeight("conv3", 0);
        var output = objective.Compute(x, labels, landmarks);
        var parameters = model.parameters().Cast<Tensor>().ToList();
        var withZero = autograd.grad([output.Total], parameters, retain_graph: true);
        var plain = autograd.grad([output.Criterion], parameters);
        for (var i = 0; i < parameters.Count; i++)
        {
            AssertClose(withZero[i], plain[i], 0, 1e-14, $"parameter {i}");
        }

        Assert.That(double.IsFinite(Scalar(output.Terms[0].Loss)), Is.True);
    }

    [Test]
    public void An_unknown_layer_lists_the_objectives_layers_and_a_non_finite_weight_is_refused()
    {
        using var model = TinyModels.SmallCnn();
        using var objective = new PalObjective(model, [new PalLayer("conv2", 1.0), new PalLayer("conv3", 1.0)],
            new HeatmapPrior(8, 8, 1.5));
        var unknown = Assert.Throws<ArgumentException>(() => objective.SetWeight("layer3", 1.0))!;
        Assert.That(unknown.ParamName, Is.EqualTo("layer"));
        Assert.That(unknown.Message, Does.Contain("'layer3'").And.Contain("'conv2', 'conv3'"));
        foreach (var bad in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity })
        {
            var error = Assert.Throws<ArgumentException>(() => objective.SetWeight("conv2", bad))!;
            Assert.That(error.ParamName, Is.EqualTo("weight"));
        }

        Assert.That(objective.Layers.Select(l => l.Weight), Is.EqualTo(new[] { 1.0, 1.0 }), "nothing changed");
    }
}
