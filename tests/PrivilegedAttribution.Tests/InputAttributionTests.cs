using TorchSharp;
using static TorchSharp.torch;
using static PrivilegedAttribution.Tests.Numerics;

namespace PrivilegedAttribution.Tests;

/// <summary><see cref="PalLayer.Input"/>: PAL on G ⊙ x at the input's resolution, with the same second-order
/// guarantee as at any layer.</summary>
public sealed class InputAttributionTests
{
    [Test]
    public void The_input_term_is_pal_of_the_input_gradient_times_the_input()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.SmallCnn();
        model.eval();
        using var objective = new PalObjective(model, [new PalLayer(PalLayer.Input, 0.5)], new HeatmapPrior(8, 8, 1.5));
        var (x, labels, landmarks) = (randn(3, 1, 8, 8, ScalarType.Float64), tensor(new long[] { 0, 2, 1 }),
            rand(3, 4, 2, ScalarType.Float64) * 8);
        var output = objective.Compute(x, labels, landmarks);

        var leaf = x.detach().requires_grad_(true);
        var logits = model.call(leaf);
        var attribution = PalFunctional.attribution_map(logits, leaf, labels);
        var expected = PalFunctional.pal_loss(attribution, PalFunctional.landmark_heatmap(landmarks, 8, 8, 8, 8, 1.5));
        Assert.That(Scalar(output.Terms[0].Loss), Is.EqualTo(Scalar(expected)).Within(1e-12));
        Assert.That(x.requires_grad, Is.False, "the caller's images keep their flags");
        Assert.That(output.Terms[0].Layer.IsInput, Is.True);
    }

    [Test]
    public void Input_pal_with_a_landmark_prior_matches_finite_differences_through_G()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.SmallCnn();
        model.train();
        using var objective = new PalObjective(model, [new PalLayer(PalLayer.Input, 0.8)], new HeatmapPrior(8, 8, 1.5));
        var (x, labels, landmarks) = (randn(3, 1, 8, 8, ScalarType.Float64), tensor(new long[] { 0, 2, 1 }),
            rand(3, 4, 2, ScalarType.Float64) * 8);
        Assert.That(ObjectiveGradients.RelativeErrorOfEveryParameter(objective, model, x, labels, landmarks),
            Is.LessThan(1e-5));
    }

    [Test]
    public void Input_pal_with_a_mask_prior_matches_finite_differences_and_needs_the_second_order()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.SmallCnn();
        model.train();
        using var objective = new PalObjective(model, [new PalLayer(PalLayer.Input, 1.0)], new MaskHeatmapPrior(1.0));
        var (x, labels) = (randn(3, 1, 8, 8, ScalarType.Float64), tensor(new long[] { 1, 0, 2 }));
        var mask = (rand(3, 1, 8, 8, ScalarType.Float64) > 0.6).to(ScalarType.Float64);
        Assert.That(ObjectiveGradients.RelativeErrorOfEveryParameter(objective, model, x, labels, mask),
            Is.LessThan(1e-5));

        // G ⊙ x depends on the weights only through G: a PAL term whose G were detached would give the weights no
        // gradient at all, so a non-zero PAL gradient proves the path through G.
        var pal = objective.Compute(x, labels, mask).Terms[0].Loss;
        var gradient = autograd.grad([pal], [model.named_parameters().Single(p => p.name == "conv1.weight").parameter]);
        Assert.That(Values(gradient[0]).Max(Math.Abs), Is.GreaterThan(1e-8));
    }

    [Test]
    public void Input_and_layer_terms_train_together()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.SmallCnn();
        model.eval();
        using var objective = new PalObjective(model,
            [new PalLayer(PalLayer.Input, 0.5), new PalLayer("conv3", 0.25, ChannelStrategy.FirstFraction(0.5))],
            new HeatmapPrior(8, 8, 1.5));
        var (x, labels, landmarks) = (randn(2, 1, 8, 8, ScalarType.Float64), tensor(new long[] { 0, 2 }),
            rand(2, 4, 2, ScalarType.Float64) * 8);
        var output = objective.Compute(x, labels, landmarks);
        var expected = output.Criterion + 0.5 * output.Terms[0].Loss + 0.25 * output.Terms[1].Loss;
        Assert.That(Scalar(output.Total), Is.EqualTo(Scalar(expected)).Within(1e-12));
        Assert.That(output.Terms.Select(t => t.Layer.Name), Is.EqualTo(new[] { PalLayer.Input, "conv3" }));
    }

    [Test]
    public void Integer_images_cannot_be_attributed_at_the_input()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.SmallCnn();
        using var objective = new PalObjective(model, [new PalLayer(PalLayer.Input, 1.0)], new HeatmapPrior(8, 8, 1.5));
        var error = Assert.Throws<ArgumentException>(() => objective.Compute(randint(0, 255, [2, 1, 8, 8]),
            tensor(new long[] { 0, 1 }), rand(2, 4, 2) * 8))!;
        Assert.That(error.Message, Does.Contain("PalLayer.Input").And.Contain("floating-point"));
    }
}
