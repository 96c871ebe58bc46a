using PrivilegedAttribution.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PrivilegedAttribution.Tests;

/// <summary>
/// A PAL training step, and a landmark-aware augmentation of its batch, must leave no more native scalars to the
/// finalizer than the same loop's plain step. TorchSharp
/// converts a <c>double</c> passed where a <see cref="Scalar"/> is expected (<c>t * 2.0</c>, <c>t.masked_fill(m, 0.0)
/// </c>) into a small native object that no dispose scope takes; in a loop that allocates little managed memory the
/// collector seldom runs, and those objects pin glibc's heap between the step's large temporaries so that resident
/// memory creeps up (the soak run, scripts/soak.sh, measures it on ResNet-18; docs/articles/optimizer-memory.md). The
/// runtime reports each object it finalizes (its FinalizeObject event, with the object's type); the steps run in a
/// no-GC region, then one collection finalizes what they left, and the test counts the <see cref="Scalar"/>s among
/// them. Other finalizable objects TorchSharp makes (the pinned arrays behind <c>t.shape</c> and
/// <c>autograd.grad</c>) hold no native memory and are not counted.
/// </summary>
public sealed class TrainingStepScalarTests
{
    private const int Steps = 16;

    public static IEnumerable<TestCaseData> Objectives()
    {
        yield return Case("landmark prior, Mean, Pearson", m => new PalObjective(m, [new PalLayer("conv3", 1.0)],
            new HeatmapPrior(16, 16, sigma: 2.0)));
        yield return Case("landmark prior, AllChannels, CrossCorrelation, |G|⊙A, two layers", m => new PalObjective(m,
            [
                new PalLayer("conv3", 1.0, ChannelStrategy.AllChannels, PalNormalization.CrossCorrelation),
                new PalLayer("relu2", 0.5, ChannelStrategy.FirstFraction(0.5)),
            ],
            new HeatmapPrior(16, 16, sigma: 2.0, combine: HeatmapCombine.Max),
            method: AttributionMethod.AbsGradientXActivation, target: AttributionTarget.PredictedClass));
        yield return Case("input attribution, layer grid", m => new PalObjective(m,
            [new PalLayer(PalLayer.Input, 1.0), new PalLayer("conv3", 1.0) { Grid = new LayerGrid(2, 0.5) }],
            new HeatmapPrior(16, 16, sigma: 2.0)));
        yield return Case("first order beside second order, Grad-CAM", m => new PalObjective(m,
            [new PalLayer("conv3", 1.0) { SecondOrder = false }, new PalLayer("relu2", 0.5)],
            new HeatmapPrior(16, 16, sigma: 2.0), method: AttributionMethod.GradCam));
        yield return Case("activation, Cosine", m => new PalObjective(m,
            [new PalLayer("conv3", 1.0, Normalization: PalNormalization.Cosine)], new HeatmapPrior(16, 16, sigma: 2.0),
            method: AttributionMethod.Activation));
        yield return Case("closed form at the pooled head, sum of log-probabilities", m => new PalObjective(m,
            [new PalLayer("tanh", 1.0) { Head = new GlobalPoolLinearHead("fc") }], new HeatmapPrior(16, 16, sigma: 2.0),
            target: AttributionTarget.SumOfLogProbabilities));
    }

    [TestCaseSource(nameof(Objectives))]
    public void A_pal_step_leaves_no_more_for_the_finalizer_than_a_plain_step(
        Func<Module<Tensor, Tensor>, PalObjective> objective)
    {
        var plain = ScalarsForTheFinalizer(null);
        var pal = ScalarsForTheFinalizer(objective);
        Assert.That(pal, Is.LessThanOrEqualTo(plain),
            $"{Steps} PAL steps left {pal} native scalars for the finalizer, the same loop's plain steps {plain}");
    }

    [Test]
    public void Augmenting_a_batch_leaves_no_scalar_for_the_finalizer()
    {
        var augmentation = new LandmarkAugmentation(LandmarkAugmentationOptions.FacialExpression);
        using var generator = new Generator(5);
        using var images = rand(4, 3, 32, 32);
        using var landmarks = rand(4, 68, 2) * 20 + 6;
        using var mask = rand(4, 1, 32, 32);
        using var finalized = new FinalizedObjects();

        void Augment()
        {
            using var scope = NewDisposeScope();
            augmentation.Apply(images, landmarks, mask: mask, generator: generator);
        }

        Augment();
        finalized.Drain(typeof(Scalar));
        for (var i = 0; i < Steps; i++)
        {
            Augment();
        }

        Assert.That(finalized.Drain(typeof(Scalar)), Is.Zero, $"native scalars left by {Steps} augmentations");
    }

    /// <summary>Runs <see cref="Steps"/> training steps (a dispose scope, zero_grad, the loss, backward, a
    /// flat-memory SGD step) after a warm-up and a full collection, with no collection during the steps, and returns
    /// how many <see cref="Scalar"/>s the next collection finalized. With no objective the loss is the plain
    /// cross-entropy.</summary>
    private static int ScalarsForTheFinalizer(Func<Module<Tensor, Tensor>, PalObjective>? makeObjective)
    {
        manual_seed(3);
        using var model = TinyModels.SmallCnn(classes: 4, dtype: ScalarType.Float32);
        using var objective = makeObjective?.Invoke(model);
        using var criterion = CrossEntropyLoss();
        using var optimizer = new FlatMemorySGD(model.parameters(), lr: 0.01);
        using var images = randn(4, 1, 16, 16);
        using var labels = tensor(new long[] { 0, 1, 2, 3 });
        using var landmarks = rand(4, 68, 2) * 12 + 2;

        void Step()
        {
            using var scope = NewDisposeScope();
            model.zero_grad();
            var loss = objective is null
                ? criterion.call(model.call(images), labels)
                : objective.Compute(images, labels, landmarks).Total;
            loss.backward();
            optimizer.step();
        }

        using var finalized = new FinalizedObjects();
        Step();
        finalized.Drain(typeof(Scalar));
        Assert.That(GC.TryStartNoGCRegion(16 << 20), Is.True, "a no-GC region of 16 MiB");
        try
        {
            for (var i = 0; i < Steps; i++)
            {
                Step();
            }
        }
        finally
        {
            GC.EndNoGCRegion();
        }

        return finalized.Drain(typeof(Scalar));
    }

    private static TestCaseData Case(string name, Func<Module<Tensor, Tensor>, PalObjective> objective) =>
        new TestCaseData(objective).SetArgDisplayNames(name);
}
