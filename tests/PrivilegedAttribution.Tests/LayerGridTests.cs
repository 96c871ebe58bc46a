using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using static PrivilegedAttribution.Tests.Numerics;

namespace PrivilegedAttribution.Tests;

/// <summary>Heatmaps on a layer's real geometry: grids declared or derived from the model, for unpadded and strided
/// convolutions and pooling.</summary>
public sealed class LayerGridTests
{
    [Test]
    public void An_unpadded_convolution_is_centred_two_pixels_in()
    {
        using var scope = NewDisposeScope();
        using var model = Classifier(("conv", Conv2d(1, 4, 5, dtype: ScalarType.Float64)));
        var grid = LayerGrid.Probe(model, "conv", zeros(1, 1, 28, 28, ScalarType.Float64));
        Assert.That(grid, Is.EqualTo(new LayerGrid(stride: 1, offset: 2)));
    }

    [Test]
    public void Strided_padded_and_unpadded_layers_compose()
    {
        using var scope = NewDisposeScope();
        // conv 3×3 stride 2 padding 1: cell j centred on 2j; then an unpadded 5×5: on 2(j + 2) = 2j + 4.
        using var model = Classifier(
            ("conv1", Conv2d(1, 4, 3, stride: 2, padding: 1, dtype: ScalarType.Float64)),
            ("relu", ReLU()),
            ("conv2", Conv2d(4, 4, 5, dtype: ScalarType.Float64)));
        var images = zeros(1, 1, 32, 32, ScalarType.Float64);
        Assert.That(LayerGrid.Probe(model, "conv1", images), Is.EqualTo(new LayerGrid(stride: 2, offset: 0)));
        Assert.That(LayerGrid.Probe(model, "conv2", images), Is.EqualTo(new LayerGrid(stride: 2, offset: 4)));
    }

    [Test]
    public void Max_pooling_centres_cells_between_pixels_and_the_model_keeps_its_mode()
    {
        using var scope = NewDisposeScope();
        using var model = Classifier(
            ("conv", Conv2d(1, 4, 3, padding: 1, dtype: ScalarType.Float64)),
            ("bn", BatchNorm2d(4, dtype: ScalarType.Float64)),
            ("relu", ReLU()),
            ("pool", MaxPool2d(2)));
        model.train();
        var grid = LayerGrid.Probe(model, "pool", zeros(1, 1, 16, 16, ScalarType.Float64));
        Assert.That(grid, Is.EqualTo(new LayerGrid(stride: 2, offset: 0.5)));
        Assert.That(model.training, Is.True);
    }

    [Test]
    public void The_issues_example_landmarks_peak_where_their_cells_see_them()
    {
        // An unpadded 5×5 convolution, 28 → 24: pixel 2 is the centre of cell 0 and pixel 25 of cell 23; the
        // default grid spanning the image puts them at cells 2 and 21.
        using var scope = NewDisposeScope();
        using var prior = new HeatmapPrior(28, 28, 1);
        var landmarks = tensor(new double[] { 2, 2, 25, 25 }).reshape(2, 1, 2);
        var onGrid = prior.render(landmarks, new LayerGrid(stride: 1, offset: 2), 24, 24);
        var spanning = prior.render(landmarks, 24, 24);
        Assert.That(PeakCell(onGrid, 0), Is.EqualTo((0L, 0L)));
        Assert.That(PeakCell(onGrid, 1), Is.EqualTo((23L, 23L)));
        Assert.That(PeakCell(spanning, 0), Is.EqualTo((2L, 2L)));
        Assert.That(PeakCell(spanning, 1), Is.EqualTo((21L, 21L)));
    }

    [Test]
    public void The_spanning_grid_renders_the_default_map()
    {
        using var scope = NewDisposeScope();
        using var prior = new HeatmapPrior(28, 20, 2.5);
        var landmarks = rand(3, 7, 2, ScalarType.Float64) * tensor(new double[] { 20, 28 });
        AssertClose(prior.render(landmarks, LayerGrid.Spanning(28, 20, 7, 5), 7, 5), prior.render(landmarks, 7, 5),
            1e-12, 1e-14, "landmarks");
        using var mask = new MaskHeatmapPrior(1.5);
        var ink = rand(3, 1, 28, 20, ScalarType.Float64);
        AssertClose(mask.render(ink, LayerGrid.Spanning(28, 20, 7, 5), 7, 5), mask.render(ink, 7, 5), 1e-12, 1e-14,
            "mask");
    }

    [Test]
    public void The_objective_renders_on_the_derived_grid_as_on_the_declared_one()
    {
        using var scope = NewDisposeScope();
        using var model = Classifier(("conv", Conv2d(1, 4, 5, dtype: ScalarType.Float64)));
        model.eval();
        var (x, labels, landmarks) = (randn(2, 1, 28, 28, ScalarType.Float64), tensor(new long[] { 0, 1 }),
            rand(2, 6, 2, ScalarType.Float64) * 28);
        using var prior = new HeatmapPrior(28, 28, 2);
        double Pal(LayerGrid? grid)
        {
            using var objective = new PalObjective(model, [new PalLayer("conv", 1.0) { Grid = grid }], prior);
            return Scalar(objective.Compute(x, labels, landmarks).Terms[0].Loss);
        }

        var derived = Pal(LayerGrid.FromModel);
        Assert.That(derived, Is.EqualTo(Pal(new LayerGrid(stride: 1, offset: 2))).Within(1e-12));
        Assert.That(derived, Is.Not.EqualTo(Pal(null)).Within(1e-6), "the premise: the default grid differs");

        using var attribution = new LayerTap(model, "conv");
        var logits = model.call(x);
        var map = PalFunctional.attribution_map(logits, attribution.TakeActivation(), labels);
        var heatmap = prior.render(landmarks, new LayerGrid(stride: 1, offset: 2), 24, 24);
        var expected = PalFunctional.pal_loss(map, heatmap);
        Assert.That(derived, Is.EqualTo(Scalar(expected)).Within(1e-12));
    }

    [Test]
    public void Bad_grids_are_refused_by_name()
    {
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => _ = new LayerGrid(0, 1, 0, 0))!.ParamName,
            Is.EqualTo("strideY"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => _ = new LayerGrid(1, 1, 0, double.NaN))!.ParamName,
            Is.EqualTo("offsetX"));
        using var model = Classifier(("conv", Conv2d(1, 4, 5, dtype: ScalarType.Float64)));
        var error = Assert.Throws<ArgumentException>(() => LayerGrid.Probe(model, "conv9", zeros(1, 1, 28, 28)))!;
        Assert.That(error.Message, Does.Contain("'conv9'").And.Contain("'conv'"));
    }

    [Test]
    public void A_prior_of_ones_own_without_grids_says_so()
    {
        using var scope = NewDisposeScope();
        using var model = Classifier(("conv", Conv2d(1, 4, 5, dtype: ScalarType.Float64)));
        using var objective = new PalObjective(model,
            [new PalLayer("conv", 1.0) { Grid = new LayerGrid(stride: 1, offset: 2) }], new UniformPrior());
        var error = Assert.Throws<NotSupportedException>(() => objective.Compute(randn(2, 1, 28, 28,
            ScalarType.Float64), tensor(new long[] { 0, 1 }), zeros(2, 1)))!;
        Assert.That(error.Message, Does.Contain("UniformPrior").And.Contain("default grid"));
    }

    private static (long Row, long Column) PeakCell(Tensor map, int sample)
    {
        var flat = map[sample, 0].argmax().item<long>();
        return (flat / map.shape[3], flat % map.shape[3]);
    }

    /// <summary>The given layers, then global average pooling and a 2-class linear head.</summary>
    private static Sequential Classifier(params (string Name, Module<Tensor, Tensor> Layer)[] layers) =>
        Sequential(layers.Concat([("gap", (Module<Tensor, Tensor>)AdaptiveAvgPool2d(1)),
            ("flat", Flatten()), ("fc", Linear(4, 2, dtype: ScalarType.Float64))]).ToArray());

    private sealed class UniformPrior : IHeatmapPrior
    {
        public Tensor render(Tensor privileged, long outputHeight, long outputWidth, Tensor? visible = null) =>
            ones(privileged.shape[0], 1, outputHeight, outputWidth, ScalarType.Float64);

        public void CheckBatch(Tensor images, Tensor privileged, Tensor? visible)
        {
        }

        public Tensor Violations(Tensor privileged, Tensor? visible) => zeros(privileged.shape[0], ScalarType.Bool);
    }
}
