using TorchSharp;
using static TorchSharp.torch;
using static PrivilegedAttribution.Tests.Numerics;
using static PrivilegedAttribution.Tests.ObjectiveFixtures;

namespace PrivilegedAttribution.Tests;

/// <summary>
/// <see cref="AttributionMethod.Activation"/>: the map is the activation itself (no gradient, no target needed), and
/// an objective aligning its channel mean with the heatmap, by Pearson or by cosine, equals the loss written out by
/// hand, value and gradient, and passes central differences.
/// </summary>
public sealed class ActivationVariantTests
{
    private const double Lambda = 0.7;

    [Test]
    public void The_map_is_the_activation_itself_and_needs_no_target()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        using var model = TinyModels.SmallCnn();
        using var tap = new LayerTap(model, "conv3");
        var (x, _, _) = FirstOrderVariantTests.DigitBatch();
        var logits = model.call(x);
        var a = tap.TakeActivation();
        var map = PalFunctional.attribution_map(logits, a, target: null, AttributionMethod.Activation);
        Assert.That(Values(map), Is.EqualTo(Values(a)));
        Assert.That(map.shape, Is.EqualTo(a.shape));
        Assert.That(map.requires_grad, Is.True, "the map carries the activation's graph");
        map.Dispose();
        Assert.That(Values(a), Has.Length.EqualTo(a.numel()), "the caller's activation outlives the map");
    }

    [TestCase(PalNormalization.Pearson)]
    [TestCase(PalNormalization.Cosine)]
    public void The_objective_equals_the_channel_mean_alignment_written_out(PalNormalization normalization)
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        using var model = TinyModels.SmallCnn();
        model.train();
        var (x, labels, landmarks) = FirstOrderVariantTests.DigitBatch();
        using var prior = new HeatmapPrior(8, 8, 1.5);
        var layer = new PalLayer("conv3", Lambda, null, normalization);
        var (total, gradients) = TotalAndGradients(model, [layer], prior, x, labels, landmarks,
            AttributionMethod.Activation);

        Tensor expected;
        using (var tap = new LayerTap(model, "conv3"))
        {
            var logits = model.call(x);
            var mean = tap.TakeActivation().mean([1], keepdim: true).flatten(1);
            var heatmap = prior.render(landmarks, 4, 4).flatten(1);
            Tensor alignment;
            if (normalization == PalNormalization.Cosine)
            {
                alignment = -nn.functional.cosine_similarity(mean, heatmap, 1, 1e-8);
            }
            else
            {
                var z = (mean - mean.mean([1], keepdim: true)) / mean.std(1, false, true);
                var zh = (heatmap - heatmap.mean([1], keepdim: true)) / heatmap.std(1, false, true);
                alignment = -(z * zh).mean([1]);
            }

            expected = nn.functional.cross_entropy(logits, labels) + Lambda * alignment.mean();
        }

        var expectedGradients = autograd.grad([expected], model.parameters().Cast<Tensor>().ToList(),
            allow_unused: true).ToArray();
        Assert.That(total, Is.EqualTo(Scalar(expected)).Within(1e-12));
        AssertSameGradients(model, gradients, expectedGradients, 1e-10);
    }

    [TestCase(PalNormalization.Pearson)]
    [TestCase(PalNormalization.Cosine)]
    public void Gradient_of_every_parameter_matches_float64_central_differences(PalNormalization normalization)
    {
        using var scope = NewDisposeScope();
        manual_seed(8);
        using var model = TinyModels.SmallCnn();
        model.train();
        var (x, labels, landmarks) = FirstOrderVariantTests.DigitBatch();
        using var prior = new HeatmapPrior(8, 8, 1.5);
        using var objective = new PalObjective(model, [new PalLayer("conv3", Lambda, null, normalization)], prior,
            AttributionMethod.Activation);
        var parameters = model.named_parameters().ToArray();
        double Total()
        {
            using var inner = NewDisposeScope();
            return Scalar(objective.Compute(x, labels, landmarks).Total);
        }

        var analytic = autograd.grad([objective.Compute(x, labels, landmarks).Total],
            parameters.Select(p => (Tensor)p.parameter).ToList());
        for (var i = 0; i < parameters.Length; i++)
        {
            var elements = Sample(parameters[i].parameter.numel(), 40, seed: i);
            var numeric = CentralDifferences(Total, parameters[i].parameter, elements);
            var flat = Values(analytic[i]);
            AssertClose(elements.Select(e => flat[e]).ToArray(), numeric, 1e-5, 1e-7 * (1 + flat.Max(Math.Abs)),
                $"d total / d {parameters[i].name}");
        }
    }

    [Test]
    public void The_activation_term_trains_nothing_above_the_tapped_layer()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        using var model = TinyModels.SmallCnn();
        model.eval();
        var (x, labels, landmarks) = FirstOrderVariantTests.DigitBatch();
        using var prior = new HeatmapPrior(8, 8, 1.5);
        var gradients = FirstOrderVariantTests.PalTermGradients(model,
            new PalLayer("conv3", Lambda, null, PalNormalization.Cosine), prior, x, labels, landmarks,
            AttributionMethod.Activation);
        var names = model.named_parameters().Select(p => p.name).ToArray();
        for (var i = 0; i < names.Length; i++)
        {
            var defined = gradients[i] is { IsInvalid: false } g && g.Handle != IntPtr.Zero;
            Assert.That(defined, Is.EqualTo(!names[i].StartsWith("fc", StringComparison.Ordinal)),
                $"{names[i]}: reached by the activation's term");
        }
    }
}
