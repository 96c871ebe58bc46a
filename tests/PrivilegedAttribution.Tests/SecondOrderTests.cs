using TorchSharp;
using static TorchSharp.torch;
using static PrivilegedAttribution.Tests.Numerics;

namespace PrivilegedAttribution.Tests;

/// <summary>
/// PAL must train the weights through the gradient factor G of the attribution G ⊙ A. Two public
/// re-implementations of PAL compute G without a graph, so that PAL only reaches the weights through A (and not at
/// all beyond the tapped layer). These tests fail for that mistake.
/// </summary>
public sealed class SecondOrderTests
{
    [Test]
    public void Pal_weight_gradient_goes_through_G_and_matches_finite_differences()
    {
        using var scope = NewDisposeScope();
        manual_seed(7); // the margins below hold for this draw
        using var model = TinyModels.SmallCnn();
        model.eval();
        using var tap = new LayerTap(model, "conv3");
        var x = randn(2, 1, 8, 8, ScalarType.Float64);
        var labels = tensor(new long[] { 2, 0 });
        var heatmap = PalFunctional.landmark_heatmap(rand(2, 3, 2, ScalarType.Float64) * 8, 8, 8, 4, 4, 1.5);
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        var names = new[] { "conv2.weight", "conv3.weight", "fc.weight" };
        var chosen = names.Select(n => parameters[n]).ToList();

        // The package's path: G carries its graph.
        var logits = model.call(x);
        var attribution = PalFunctional.attribution_map(logits, tap.TakeActivation(), labels);
        var full = autograd.grad([PalFunctional.pal_loss(attribution, heatmap)], chosen);

        // The mistaken path: the same attribution with G detached.
        logits = model.call(x);
        var a = tap.TakeActivation();
        var g = autograd.grad([logits.gather(1, labels.unsqueeze(1)).sum()], [a], retain_graph: true)[0];
        var detached = autograd.grad([PalFunctional.pal_loss(g.detach() * a, heatmap)], chosen,
            allow_unused: true);

        double Pal()
        {
            using var inner = NewDisposeScope();
            var l = model.call(x);
            return Scalar(PalFunctional.pal_loss(PalFunctional.attribution_map(l, tap.TakeActivation(), labels),
                heatmap));
        }

        for (var i = 0; i < names.Length; i++)
        {
            var elements = Sample(chosen[i].numel(), 12, seed: i);
            var numeric = CentralDifferences(Pal, chosen[i], elements);
            var fullValues = Values(full[i]);
            var analytic = elements.Select(e => fullValues[e]).ToArray();
            var withoutG = detached[i] is { IsInvalid: false } d && d.Handle != IntPtr.Zero
                ? elements.Select(e => Values(d)[e]).ToArray()
                : new double[elements.Length];
            var errorFull = RelativeError(analytic, numeric);
            var errorDetached = RelativeError(withoutG, numeric);
            TestContext.Out.WriteLine($"{names[i]}: error with G's graph {errorFull:E2}, with G detached " +
                                      $"{errorDetached:E2}");
            Assert.That(errorFull, Is.LessThan(1e-6), $"{names[i]}: the package's gradient");
            // Detaching G must change the gradient by far more than the finite-difference noise.
            Assert.That(errorDetached, Is.GreaterThan(Math.Max(0.01, 1000 * errorFull)),
                $"{names[i]}: detaching G must change the gradient");
        }
    }
}
