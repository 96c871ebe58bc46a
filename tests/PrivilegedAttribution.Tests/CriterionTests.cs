using TorchSharp;
using static TorchSharp.torch;
using static PrivilegedAttribution.Tests.Numerics;

namespace PrivilegedAttribution.Tests;

/// <summary>The loop's own criterion in <see cref="PalObjective"/>: class weights, label smoothing, NLLLoss on
/// log-probabilities; its value in <see cref="PalObjectiveOutput.Criterion"/> and in the total.</summary>
public sealed class CriterionTests
{
    [Test]
    public void A_class_weighted_cross_entropy_is_the_criterion_of_the_total()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.SmallCnn();
        model.eval();
        var weights = tensor(new[] { 0.2, 3.0, 1.1 });
        using var criterion = nn.CrossEntropyLoss(weight: weights);
        using var objective = new PalObjective(model, [new PalLayer("conv3", 0.4)], new HeatmapPrior(8, 8, 1.5),
            criterion: criterion);
        var (x, labels, landmarks) = (randn(4, 1, 8, 8, ScalarType.Float64), tensor(new long[] { 0, 1, 1, 2 }),
            rand(4, 5, 2, ScalarType.Float64) * 8);
        var output = objective.Compute(x, labels, landmarks);

        var expected = nn.functional.cross_entropy(model.call(x), labels, weight: weights);
        var unweighted = nn.functional.cross_entropy(output.Logits, labels);
        Assert.That(Scalar(output.Criterion), Is.EqualTo(Scalar(expected)).Within(1e-12));
        Assert.That(Scalar(output.Criterion), Is.Not.EqualTo(Scalar(unweighted)).Within(1e-6), "the premise");
        Assert.That(Scalar(output.Total), Is.EqualTo(Scalar(expected + 0.4 * output.Terms[0].Loss)).Within(1e-12));
    }

    [Test]
    public void A_label_smoothed_criterion_of_the_users_own_matches_finite_differences()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.SmallCnn();
        model.train();
        using var criterion = new LabelSmoothedCrossEntropy(0.1);
        using var objective = new PalObjective(model, [new PalLayer("conv3", 0.7)], new HeatmapPrior(8, 8, 1.5),
            criterion: criterion);
        var (x, labels, landmarks) = (randn(3, 1, 8, 8, ScalarType.Float64), tensor(new long[] { 0, 2, 1 }),
            rand(3, 4, 2, ScalarType.Float64) * 8);
        var output = objective.Compute(x, labels, landmarks);
        var smoothed = nn.functional.cross_entropy(output.Logits, labels, label_smoothing: 0.1);
        Assert.That(Scalar(output.Criterion), Is.EqualTo(Scalar(smoothed)).Within(1e-12));

        var error = ObjectiveGradients.RelativeErrorOfEveryParameter(objective, model, x, labels, landmarks);
        Assert.That(error, Is.LessThan(1e-5));
    }

    [Test]
    public void NLLLoss_on_log_probabilities_attributes_the_true_class_log_probability()
    {
        using var scope = NewDisposeScope();
        using var cnn = TinyModels.SmallCnn();
        using var model = nn.Sequential(("cnn", cnn), ("log_softmax", nn.LogSoftmax(1)));
        model.eval();
        using var criterion = nn.NLLLoss();
        using var objective = new PalObjective(model, [new PalLayer("cnn.conv3", 1.0)], new HeatmapPrior(8, 8, 1.5),
            criterion: criterion);
        var (x, labels, landmarks) = (randn(2, 1, 8, 8, ScalarType.Float64), tensor(new long[] { 2, 0 }),
            rand(2, 4, 2, ScalarType.Float64) * 8);
        var output = objective.Compute(x, labels, landmarks);

        // The same with the plain logits: NLL of log-softmax is cross-entropy, and the attribution of log p_y is
        // the attribution of SumOfLogProbabilities' per-class term, computed here by hand.
        using var tap = new LayerTap(cnn, "conv3");
        var logits = cnn.call(x);
        var activation = tap.TakeActivation();
        var logProbability = nn.functional.log_softmax(logits, 1).gather(1, labels.unsqueeze(1)).sum();
        var g = autograd.grad([logProbability], [activation], retain_graph: true, create_graph: true)[0];
        var pal = PalFunctional.pal_loss(g * activation, PalFunctional.landmark_heatmap(landmarks, 8, 8, 4, 4, 1.5));
        Assert.That(Scalar(output.Criterion), Is.EqualTo(Scalar(nn.functional.cross_entropy(logits, labels)))
            .Within(1e-12));
        Assert.That(Scalar(output.Terms[0].Loss), Is.EqualTo(Scalar(pal)).Within(1e-12));
    }

    [Test]
    public void A_criterion_that_does_not_return_a_scalar_is_named()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.SmallCnn();
        using var criterion = nn.CrossEntropyLoss(reduction: nn.Reduction.None);
        using var objective = new PalObjective(model, [new PalLayer("conv3", 1.0)], new HeatmapPrior(8, 8, 1.5),
            criterion: criterion);
        var error = Assert.Throws<InvalidOperationException>(() => objective.Compute(
            randn(2, 1, 8, 8, ScalarType.Float64), tensor(new long[] { 0, 1 }),
            rand(2, 4, 2, ScalarType.Float64) * 8))!;
        Assert.That(error.Message, Does.Contain("criterion (CrossEntropyLoss) must return a floating-point scalar")
            .And.Contain("shape [2]"));
    }

    [Test]
    public void Labels_out_of_range_are_reported_with_the_criterion_of_the_users_own()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.SmallCnn();
        using var criterion = nn.CrossEntropyLoss(weight: tensor(new[] { 1.0, 1.0, 1.0 }));
        using var objective = new PalObjective(model, [new PalLayer("conv3", 1.0)], new HeatmapPrior(8, 8, 1.5),
            criterion: criterion);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => objective.Compute(
            randn(2, 1, 8, 8, ScalarType.Float64), tensor(new long[] { 0, 3 }),
            rand(2, 4, 2, ScalarType.Float64) * 8))!;
        Assert.That(error.ParamName, Is.EqualTo("labels"));
        Assert.That(error.Message, Does.Contain("[0, 3)").And.Contain("[0, 3]"));
    }

    /// <summary>A criterion of the user's own: TorchSharp's CrossEntropyLoss module has no label smoothing.</summary>
    private sealed class LabelSmoothedCrossEntropy(double smoothing)
        : nn.Module<Tensor, Tensor, Tensor>(nameof(LabelSmoothedCrossEntropy))
    {
        public override Tensor forward(Tensor logits, Tensor labels) =>
            nn.functional.cross_entropy(logits, labels, label_smoothing: smoothing);
    }
}
