using TorchSharp;
using static TorchSharp.torch;
using static PrivilegedAttribution.Tests.Numerics;

namespace PrivilegedAttribution.Tests;

public sealed class PalObjectiveTests
{
    [Test]
    public void Total_is_cross_entropy_plus_weighted_pal_terms_of_every_layer()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.SmallCnn();
        model.eval();
        using var prior = new HeatmapPrior(8, 8, 1.5);
        var layers = new[]
        {
            new PalLayer("conv2", 0.3, ChannelStrategy.AllChannels, PalNormalization.CrossCorrelation),
            new PalLayer("conv3", 0.9, ChannelStrategy.FirstFraction(0.5)),
        };
        using var objective = new PalObjective(model, layers, prior);
        var x = randn(2, 1, 8, 8, ScalarType.Float64);
        var labels = tensor(new long[] { 1, 2 });
        var landmarks = rand(2, 5, 2, ScalarType.Float64) * 8;
        var output = objective.Compute(x, labels, landmarks);

        // The same objective written out with the functional forms.
        using var tap2 = new LayerTap(model, "conv2");
        using var tap3 = new LayerTap(model, "conv3");
        var logits = model.call(x);
        var ce = nn.functional.cross_entropy(logits, labels);
        var (a2, a3) = (tap2.TakeActivation(), tap3.TakeActivation());
        var pal2 = PalFunctional.pal_loss(PalFunctional.attribution_map(logits, a2, labels),
            PalFunctional.landmark_heatmap(landmarks, 8, 8, 8, 8, 1.5), ChannelStrategy.AllChannels,
            PalNormalization.CrossCorrelation);
        var pal3 = PalFunctional.pal_loss(PalFunctional.attribution_map(logits, a3, labels),
            PalFunctional.landmark_heatmap(landmarks, 8, 8, 4, 4, 1.5), ChannelStrategy.FirstFraction(0.5));

        Assert.That(Scalar(output.Criterion), Is.EqualTo(Scalar(ce)).Within(1e-12));
        Assert.That(output.Terms.Select(t => t.Layer.Name), Is.EqualTo(new[] { "conv2", "conv3" }));
        Assert.That(Scalar(output.Terms[0].Loss), Is.EqualTo(Scalar(pal2)).Within(1e-12));
        Assert.That(Scalar(output.Terms[1].Loss), Is.EqualTo(Scalar(pal3)).Within(1e-12));
        Assert.That(Scalar(output.Total), Is.EqualTo(Scalar(ce + 0.3 * pal2 + 0.9 * pal3)).Within(1e-12));
        AssertClose(output.Logits, logits, 0, 1e-15, "logits");
    }

    [Test]
    public void Backward_through_the_total_reaches_every_parameter()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.SmallCnn();
        using var objective = new PalObjective(model, [new PalLayer("conv3", 1.0)], new HeatmapPrior(8, 8, 2));
        var output = objective.Compute(randn(4, 1, 8, 8, ScalarType.Float64), tensor(new long[] { 0, 1, 2, 0 }),
            rand(4, 6, 2, ScalarType.Float64) * 8);
        output.Total.backward();
        foreach (var (name, parameter) in model.named_parameters())
        {
            Assert.That(parameter.grad, Is.Not.Null, name);
            Assert.That(Values(parameter.grad!), Is.All.Matches<double>(double.IsFinite), name);
        }
    }

    [Test]
    public void A_layer_that_did_not_run_is_reported()
    {
        using var scope = NewDisposeScope();
        // "unused" is registered in the model but never called by its forward.
        using var model = new TwoHeads();
        using var objective = new PalObjective(model, [new PalLayer("unused", 1.0)], new HeatmapPrior(4, 4, 1));
        var error = Assert.Throws<InvalidOperationException>(() => objective.Compute(randn(2, 1, 4, 4),
            tensor(new long[] { 0, 1 }), rand(2, 3, 2)))!;
        Assert.That(error.Message, Does.Contain("'unused' did not run").And.Contain("never calls it"));
    }

    [Test]
    public void A_non_finite_attribution_names_the_layer_and_the_sample()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.SmallCnn(dtype: ScalarType.Float32);
        model.eval(); // per-sample statistics: the NaN stays in its sample
        using var objective = new PalObjective(model, [new PalLayer("conv3", 1.0)], new HeatmapPrior(8, 8, 2));
        var images = randn(3, 1, 8, 8);
        images[2, 0, 4, 4] = tensor(float.NaN);
        var error = Assert.Throws<ArgumentException>(() =>
            objective.Compute(images, tensor(new long[] { 0, 1, 2 }), rand(3, 4, 2) * 8))!;
        Assert.That(error.Message, Does.Contain("layer 'conv3'").And.Contain("sample 2"));
    }

    [Test]
    public void The_guard_turns_a_non_finite_loss_into_an_exception_naming_the_term()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.SmallCnn(dtype: ScalarType.Float32);
        using (no_grad())
        {
            // A diverged bias: the logits are infinite while the gradient at conv3 (which a bias does not reach)
            // stays finite, so the attribution check passes and only the loss tells.
            model.named_parameters().Single(p => p.name == "fc.bias").parameter.fill_(float.PositiveInfinity);
        }

        using var objective = new PalObjective(model, [new PalLayer("conv3", 1.0)], new HeatmapPrior(8, 8, 2));
        var (images, labels, landmarks) = (randn(2, 1, 8, 8), tensor(new long[] { 0, 1 }), rand(2, 4, 2) * 8);
        var unguarded = objective.Compute(images, labels, landmarks);
        Assert.That(float.IsFinite(unguarded.Criterion.item<float>()), Is.False, "the premise: CE is not finite");
        objective.GuardNonFinite = true;
        var error = Assert.Throws<NonFiniteLossException>(() => objective.Compute(images, labels, landmarks))!;
        Assert.That(error.Message, Does.Contain("not finite (cross-entropy"));
        Assert.That(error.Values.Keys, Is.EqualTo(new[] { "cross-entropy", "PAL at 'conv3'", "total" }));
    }

    [Test]
    public void The_guard_passes_a_finite_step_unchanged()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.SmallCnn(dtype: ScalarType.Float32);
        using var objective = new PalObjective(model, [new PalLayer("conv3", 1.0)], new HeatmapPrior(8, 8, 2));
        var (images, labels, landmarks) = (randn(2, 1, 8, 8), tensor(new long[] { 0, 1 }), rand(2, 4, 2) * 8);
        var plain = objective.Compute(images, labels, landmarks).Total.item<float>();
        objective.GuardNonFinite = true;
        Assert.That(objective.Compute(images, labels, landmarks).Total.item<float>(), Is.EqualTo(plain));
    }

    [Test]
    public void A_mask_prior_trains_through_the_objective_like_the_hand_built_loss()
    {
        // The Decoy MNIST setting: the privileged information is a mask (a digit's ink), not landmarks.
        using var scope = NewDisposeScope();
        using var model = TinyModels.SmallCnn();
        model.eval();
        using var prior = new MaskHeatmapPrior(1.5);
        using var objective = new PalObjective(model, [new PalLayer("conv3", 0.7, ChannelStrategy.AllChannels)],
            prior, AttributionMethod.AbsGradientXActivation);
        var (images, labels) = (randn(3, 1, 8, 8, ScalarType.Float64), tensor(new long[] { 0, 2, 1 }));
        var ink = rand(3, 1, 8, 8, ScalarType.Float64);
        var total = Scalar(objective.Compute(images, labels, ink).Total);

        using var tap = new LayerTap(model, "conv3");
        var logits = model.call(images);
        var attribution = PalFunctional.attribution_map(logits, tap.TakeActivation(), labels,
            AttributionMethod.AbsGradientXActivation);
        var expected = nn.functional.cross_entropy(logits, labels) + 0.7 * PalFunctional.pal_loss(attribution,
            PalFunctional.mask_heatmap(ink, 4, 4, 1.5), ChannelStrategy.AllChannels);
        Assert.That(total, Is.EqualTo(Scalar(expected)).Within(1e-14));
        Assert.That(Assert.Throws<ArgumentException>(() => objective.Compute(images, labels, ink,
            ones(3, 5, ScalarType.Bool)))!.ParamName, Is.EqualTo("visible"));
    }

    [Test]
    public void A_users_own_prior_is_rendered_at_each_layers_size()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.SmallCnn();
        var prior = new CentreBlob();
        using var objective = new PalObjective(model, [new PalLayer("conv2", 1.0), new PalLayer("conv3", 1.0)],
            prior);
        var output = objective.Compute(randn(2, 1, 8, 8, ScalarType.Float64), tensor(new long[] { 0, 1 }),
            zeros(2, 1));
        Assert.That(prior.Sizes, Is.EqualTo(new[] { (8L, 8L), (4L, 4L) }));
        Assert.That(output.Terms.Select(t => double.IsFinite(Scalar(t.Loss))), Is.All.True);
    }

    /// <summary>A prior of the user's own: a centred Gaussian blob, whatever the privileged tensor holds.</summary>
    private sealed class CentreBlob : IHeatmapPrior
    {
        public List<(long, long)> Sizes { get; } = [];

        public Tensor render(Tensor privileged, long outputHeight, long outputWidth, Tensor? visible = null)
        {
            Sizes.Add((outputHeight, outputWidth));
            var centre = full(privileged.shape[0], 1, 2, (outputWidth - 1) / 2.0, ScalarType.Float64);
            return PalFunctional.landmark_heatmap(centre, outputHeight, outputWidth, outputHeight, outputWidth, 1.0);
        }

        public void CheckBatch(Tensor images, Tensor privileged, Tensor? visible)
        {
        }

        public Tensor Violations(Tensor privileged, Tensor? visible) =>
            zeros(privileged.shape[0], ScalarType.Bool);
    }

    private sealed class TwoHeads : nn.Module<Tensor, Tensor>
    {
        // RegisterComponents names each submodule after its field: the layer names the tests tap ("unused").
#pragma warning disable IDE1006
        private readonly nn.Module<Tensor, Tensor> used = nn.Conv2d(1, 2, 3, padding: 1);
        private readonly nn.Module<Tensor, Tensor> unused = nn.Conv2d(1, 2, 3, padding: 1);
        private readonly nn.Module<Tensor, Tensor> head = nn.Linear(32, 2);
#pragma warning restore IDE1006

        public TwoHeads() : base(nameof(TwoHeads)) => RegisterComponents();

        public override Tensor forward(Tensor x) => head.call(used.call(x).flatten(1));
    }
}
