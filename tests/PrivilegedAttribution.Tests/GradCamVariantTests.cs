using TorchSharp;
using static TorchSharp.torch;
using static PrivilegedAttribution.Tests.Numerics;
using static PrivilegedAttribution.Tests.ObjectiveFixtures;

namespace PrivilegedAttribution.Tests;

/// <summary>
/// <see cref="AttributionMethod.GradCam"/>: the map Σ_c mean_ij(G_c)·A_c, one channel, no ReLU, equals a direct
/// computation; with the second order its loss's gradient passes float64 central differences through the whole
/// network, and with the first order it equals an independent Σ_c stop(α_c)·A_c.
/// </summary>
public sealed class GradCamVariantTests
{
    private const double Lambda = 0.7;

    [Test]
    public void The_map_of_a_hand_model_is_the_mean_class_weight_times_the_activation()
    {
        // conv (weight 2) → ReLU → linear, tapped after the ReLU: G = W[t] as a 2×2 map, α = mean(W[t]), so the map
        // is mean(W[t])·ReLU(2x); negative where mean(W[t]) < 0 (no ReLU on the map).
        using var scope = NewDisposeScope();
        var weights = new double[,] { { 1.0, -2.0, 0.5, 3.0 }, { -1.0, -1.0, -2.0, 0.0 } };
        using var model = TinyModels.HandModel(weights);
        using var map = new AttributionMap(model, "relu", AttributionMethod.GradCam);
        var x = tensor(new double[] { 1.0, -0.5, 2.0, 0.25, -1.0, 3.0, 0.5, 1.5 }).reshape(2, 1, 2, 2);
        var labels = tensor(new long[] { 0, 1 });
        var actual = map.forward(model.call(x), labels);
        var relu = Values(x.clamp_min(0) * 2);
        var means = new[] { (1.0 - 2.0 + 0.5 + 3.0) / 4, (-1.0 - 1.0 - 2.0 + 0.0) / 4 };
        var expected = relu.Select((v, i) => means[i / 4] * v).ToArray();
        Assert.That(actual.shape, Is.EqualTo(new long[] { 2, 1, 2, 2 }));
        AssertClose(Values(actual), expected, 1e-15, 1e-15, "Grad-CAM of the hand model");
        Assert.That(Values(actual).Skip(4).Any(v => v < 0), Is.True, "no ReLU on the map");
    }

    [TestCase(true)]
    [TestCase(false)]
    public void The_map_equals_a_direct_computation_from_G_and_A(bool secondOrder)
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        using var model = TinyModels.SmallCnn();
        model.eval();
        using var tap = new LayerTap(model, "conv3");
        var (x, labels, _) = FirstOrderVariantTests.DigitBatch();
        var logits = model.call(x);
        var a = tap.TakeActivation();
        var map = PalFunctional.attribution_map(logits, a, labels, AttributionMethod.GradCam,
            secondOrder: secondOrder);
        var g = autograd.grad([logits.gather(1, labels.unsqueeze(1)).sum()], [a], retain_graph: true)[0];
        var (b, c, h, w) = ((int)a.shape[0], (int)a.shape[1], (int)a.shape[2], (int)a.shape[3]);
        var (gv, av) = (Values(g), Values(a));
        var expected = new double[b * h * w];
        for (var n = 0; n < b; n++)
        {
            for (var k = 0; k < c; k++)
            {
                var alpha = 0.0;
                for (var p = 0; p < h * w; p++)
                {
                    alpha += gv[(n * c + k) * h * w + p];
                }

                alpha /= h * w;
                for (var p = 0; p < h * w; p++)
                {
                    expected[n * h * w + p] += alpha * av[(n * c + k) * h * w + p];
                }
            }
        }

        Assert.That(map.shape, Is.EqualTo(new long[] { b, 1, h, w }));
        AssertClose(Values(map), expected, 1e-12, 1e-15, $"Grad-CAM, second order {secondOrder}");
        Assert.That(map.requires_grad, Is.True);
    }

    [TestCase(PalNormalization.Pearson)]
    [TestCase(PalNormalization.CrossCorrelation)]
    [TestCase(PalNormalization.Cosine)]
    public void Second_order_gradient_of_every_parameter_matches_float64_central_differences(
        PalNormalization normalization)
    {
        using var scope = NewDisposeScope();
        manual_seed(9);
        using var model = TinyModels.SmallCnn();
        model.train(); // BatchNorm with batch statistics: the samples are coupled, as in real training
        var (x, labels, landmarks) = FirstOrderVariantTests.DigitBatch();
        using var prior = new HeatmapPrior(8, 8, 1.5);
        using var objective = new PalObjective(model, [new PalLayer("conv3", Lambda, null, normalization)], prior,
            AttributionMethod.GradCam);
        var parameters = model.named_parameters().ToArray();
        double Total()
        {
            using var inner = NewDisposeScope();
            return Scalar(objective.Compute(x, labels, landmarks).Total);
        }

        var analytic = autograd.grad([objective.Compute(x, labels, landmarks).Total],
            parameters.Select(p => (Tensor)p.parameter).ToList());
        var allAnalytic = new List<double>();
        var allNumeric = new List<double>();
        for (var i = 0; i < parameters.Length; i++)
        {
            var elements = Enumerable.Range(0, (int)parameters[i].parameter.numel()).Select(e => (long)e).ToArray();
            var numeric = CentralDifferences(Total, parameters[i].parameter, elements);
            var flat = Values(analytic[i]);
            AssertClose(flat, numeric, 1e-4, 1e-6 * (1 + flat.Max(Math.Abs)), $"d total / d {parameters[i].name}");
            allAnalytic.AddRange(flat);
            allNumeric.AddRange(numeric);
        }

        var error = RelativeError(allAnalytic.ToArray(), allNumeric.ToArray());
        TestContext.Out.WriteLine($"Grad-CAM {normalization}: {allAnalytic.Count} elements, relative error " +
                                  $"{error:E2}");
        Assert.That(error, Is.LessThan(1e-5));
    }

    [Test]
    public void First_order_gradient_equals_an_independent_stop_alpha_and_differs_from_the_second_order()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        using var model = TinyModels.SmallCnn();
        model.eval();
        var (x, labels, landmarks) = FirstOrderVariantTests.DigitBatch();
        using var prior = new HeatmapPrior(8, 8, 1.5);
        var layer = new PalLayer("conv3", Lambda);
        var firstOrder = FirstOrderVariantTests.PalTermGradients(model, layer with { SecondOrder = false }, prior, x,
            labels, landmarks, AttributionMethod.GradCam);
        var secondOrder = FirstOrderVariantTests.PalTermGradients(model, layer, prior, x, labels, landmarks,
            AttributionMethod.GradCam);
        Tensor[] independent;
        using (var tap = new LayerTap(model, "conv3"))
        {
            var logits = model.call(x);
            var a = tap.TakeActivation();
            var g = autograd.grad([logits.gather(1, labels.unsqueeze(1)).sum()], [a], retain_graph: true)[0];
            var alpha = g.detach().mean([2, 3], keepdim: true);
            var map = (alpha * a).sum(1, keepdim: true);
            var pal = PalFunctional.pal_loss(map, prior.render(landmarks, a.shape[2], a.shape[3])) * Lambda;
            independent = autograd.grad([pal], model.parameters().Cast<Tensor>().ToList(), allow_unused: true)
                .ToArray();
        }

        AssertSameGradients(model, firstOrder, independent, 1e-12);
        var names = model.named_parameters().Select(p => p.name).ToList();
        var (conv2, fc) = (names.IndexOf("conv2.weight"), names.IndexOf("fc.weight"));
        // Far beyond the rounding that the equality above allows: the second order also trains through α, so
        // below the layer as well as above it, where the first order does not reach.
        Assert.That(RelativeError(Values(firstOrder[conv2]), Values(secondOrder[conv2])), Is.GreaterThan(1e-3),
            "conv2.weight: the orders must differ");
        Assert.That(firstOrder[fc] is null || firstOrder[fc].IsInvalid || firstOrder[fc].Handle == IntPtr.Zero,
            Is.True, "fc.weight lies above conv3: no first-order gradient");
        Assert.That(Scalar(secondOrder[fc].abs().max()), Is.GreaterThan(1e-6), "fc.weight: trained through α");
    }
}
