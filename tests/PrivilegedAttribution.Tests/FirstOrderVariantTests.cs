using TorchSharp;
using static TorchSharp.torch;
using static PrivilegedAttribution.Tests.Numerics;
using static PrivilegedAttribution.Tests.ObjectiveFixtures;

namespace PrivilegedAttribution.Tests;

/// <summary>
/// PAL with the gradient factor detached (<see cref="PalLayer.SecondOrder"/> = false): the loss must train the weights
/// through the activation only, exactly as an independent Σ stop(G)·A written out with autograd, and differently from
/// PAL's second order; a first-order term beside a second-order one in the same objective must keep its own order.
/// </summary>
public sealed class FirstOrderVariantTests
{
    private const double Lambda = 0.7;

    [Test]
    public void First_order_gradient_equals_an_independent_stop_G_times_A_and_differs_from_the_second_order()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        using var model = TinyModels.SmallCnn();
        model.eval();
        var (x, labels, landmarks) = DigitBatch();
        using var prior = new HeatmapPrior(8, 8, 1.5);
        var parameters = model.parameters().Cast<Tensor>().ToList();
        var names = model.named_parameters().Select(p => p.name).ToArray();

        var firstOrder = PalTermGradients(model, new PalLayer("conv3", Lambda) { SecondOrder = false }, prior, x,
            labels, landmarks);
        var secondOrder = PalTermGradients(model, new PalLayer("conv3", Lambda), prior, x, labels, landmarks);

        // Independently: G from autograd without create_graph, detached, times the activation.
        Tensor[] independent;
        using (var tap = new LayerTap(model, "conv3"))
        {
            var logits = model.call(x);
            var a = tap.TakeActivation();
            var g = autograd.grad([logits.gather(1, labels.unsqueeze(1)).sum()], [a], retain_graph: true)[0];
            var heatmap = prior.render(landmarks, a.shape[2], a.shape[3]);
            var pal = PalFunctional.pal_loss(g.detach() * a, heatmap) * Lambda;
            independent = autograd.grad([pal], parameters, allow_unused: true).ToArray();
        }

        AssertSameGradients(model, firstOrder, independent, 1e-12);
        for (var i = 0; i < names.Length; i++)
        {
            var above = names[i].StartsWith("fc", StringComparison.Ordinal);
            var defined = firstOrder[i] is { IsInvalid: false } f && f.Handle != IntPtr.Zero;
            if (above)
            {
                // The linear layer above the tapped one is reached through G only: the first order leaves it alone,
                // the second order trains its weight (G does not depend on its bias).
                Assert.That(!defined || Values(firstOrder[i]).All(v => v == 0.0), Is.True,
                    $"{names[i]} lies above conv3: no first-order gradient");
                if (names[i] == "fc.weight")
                {
                    Assert.That(Scalar(secondOrder[i].abs().max()), Is.GreaterThan(1e-6),
                        $"{names[i]}: the second order trains it through G");
                }

                continue;
            }

            // Below the tapped layer both orders train the weights, differently (the second order also through G).
            var difference = RelativeError(Values(firstOrder[i]), Values(secondOrder[i]));
            TestContext.Out.WriteLine($"{names[i]}: first vs second order, relative difference {difference:E2}");
            Assert.That(difference, Is.GreaterThan(0.01), $"{names[i]}: the orders must differ");
        }
    }

    [Test]
    public void First_order_attribution_has_the_second_order_values_and_no_path_above_the_layer()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var model = TinyModels.SmallCnn();
        model.eval();
        using var tap = new LayerTap(model, "conv3");
        var (x, labels, _) = DigitBatch();
        var logits = model.call(x);
        var a = tap.TakeActivation();
        var second = PalFunctional.attribution_map(logits, a, labels);
        var first = PalFunctional.attribution_map(logits, a, labels, secondOrder: false);
        Assert.That(Values(first), Is.EqualTo(Values(second)), "first-order values");
        Assert.That(first.requires_grad, Is.True, "the first-order map keeps the activation's graph");
        var fc = model.named_parameters().Single(p => p.name == "fc.weight").parameter;
        var toFc = autograd.grad([first.square().sum()], [fc], retain_graph: true, allow_unused: true)[0];
        Assert.That(toFc is null || toFc.IsInvalid || toFc.Handle == IntPtr.Zero || Values(toFc).All(v => v == 0),
            Is.True, "a first-order map does not reach the layer above");
        var secondToFc = autograd.grad([second.square().sum()], [fc], allow_unused: true)[0];
        Assert.That(Scalar(secondToFc.abs().max()), Is.GreaterThan(1e-6), "the second-order map does");
    }

    [TestCase(AttributionMethod.GradientXActivation)]
    [TestCase(AttributionMethod.AbsGradientXActivation)]
    [TestCase(AttributionMethod.GradCam)]
    public void A_first_order_term_beside_a_second_order_term_keeps_its_own_order(AttributionMethod method)
    {
        // The objective takes one gradient call for both terms, with create_graph because one term needs it: the
        // first-order term must still drop G's graph.
        using var scope = NewDisposeScope();
        manual_seed(7);
        using var model = TinyModels.SmallCnn();
        model.eval();
        var (x, labels, landmarks) = DigitBatch();
        using var prior = new HeatmapPrior(8, 8, 1.5);
        var first = new PalLayer("conv2", Lambda) { SecondOrder = false };
        var second = new PalLayer("conv3", Lambda);
        using var both = new PalObjective(model, [first, second], prior, method);
        var output = both.Compute(x, labels, landmarks);
        var parameters = model.parameters().Cast<Tensor>().ToList();
        for (var i = 0; i < 2; i++)
        {
            var mixed = autograd.grad([output.Terms[i].Loss], parameters, retain_graph: true, allow_unused: true)
                .ToArray();
            var alone = PalTermGradients(model, i == 0 ? first : second, prior, x, labels, landmarks, method);
            var orderOfAlone = i == 0 ? "first" : "second";
            AssertSameGradients(model, Scaled(mixed, Lambda), alone, 1e-12);
            TestContext.Out.WriteLine($"{method}: term {i} ({orderOfAlone} order) matches its objective alone");
        }
    }

    [TestCase(AttributionMethod.GradientXActivation)]
    [TestCase(AttributionMethod.GradCam)]
    public void First_order_closed_form_head_equals_first_order_autograd(AttributionMethod method)
    {
        using var scope = NewDisposeScope();
        using var model = PooledCnn();
        model.train();
        manual_seed(2);
        var x = randn(3, 1, 8, 8, ScalarType.Float64);
        var labels = tensor(new long[] { 0, 2, 1 });
        var landmarks = rand(3, 5, 2, ScalarType.Float64) * 8;
        using var prior = new HeatmapPrior(8, 8, 1.5);
        // The mean over channels: with each channel a map of its own, the closed form's G = W[t,c]/(h·w) would
        // only scale each map, which the standardisation removes, and the two orders would agree.
        var layer = new PalLayer("block", Lambda) { SecondOrder = false };
        var (autogradTotal, autogradGradients) = TotalAndGradients(model, [layer], prior, x, labels, landmarks,
            method);
        var (closedTotal, closedGradients) = TotalAndGradients(model,
            [layer with { Head = new GlobalPoolLinearHead("fc") }], prior, x, labels, landmarks, method);
        Assert.That(closedTotal, Is.EqualTo(autogradTotal).Within(1e-12 * (1 + Math.Abs(autogradTotal))));
        AssertSameGradients(model, closedGradients, autogradGradients, 1e-10);
        var (_, secondOrderGradients) = TotalAndGradients(model, [layer with { SecondOrder = true }], prior, x,
            labels, landmarks, method);
        var fc = Array.FindIndex(model.named_parameters().ToArray(), p => p.name == "fc.weight");
        Assert.That(RelativeError(Values(closedGradients[fc]), Values(secondOrderGradients[fc])),
            Is.GreaterThan(1e-3), "the first order must not train the head through G");
    }

    internal static (Tensor X, Tensor Labels, Tensor Landmarks) DigitBatch()
    {
        var x = randn(3, 1, 8, 8, ScalarType.Float64);
        var labels = tensor(new long[] { 0, 2, 1 });
        var landmarks = rand(3, 4, 2, ScalarType.Float64) * 8;
        return (x, labels, landmarks);
    }

    /// <summary>The gradient of λ·PAL alone (the term, not the total) of a one-layer objective, for every
    /// parameter (undefined where the term does not reach it).</summary>
    internal static Tensor[] PalTermGradients(nn.Module<Tensor, Tensor> model, PalLayer layer, IHeatmapPrior prior,
        Tensor x, Tensor labels, Tensor landmarks, AttributionMethod method = AttributionMethod.GradientXActivation)
    {
        using var objective = new PalObjective(model, [layer], prior, method);
        var term = objective.Compute(x, labels, landmarks).Terms[0].Loss * layer.Weight;
        return autograd.grad([term], model.parameters().Cast<Tensor>().ToList(), allow_unused: true).ToArray();
    }

    private static Tensor[] Scaled(Tensor[] gradients, double factor) => gradients
        .Select(g => g is { IsInvalid: false } && g.Handle != IntPtr.Zero ? g * factor : g).ToArray();
}
