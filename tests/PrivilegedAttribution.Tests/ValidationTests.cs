using TorchSharp;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Tests;

/// <summary>Bad input gets an ArgumentException that names the argument and says what was expected and given —
/// never a NaN, a silent broadcast or a native crash.</summary>
public sealed class ValidationTests
{
    private static void Throws<TException>(TestDelegate call, string parameter, params string[] fragments)
        where TException : ArgumentException
    {
        var error = Assert.Throws<TException>(call)!;
        Assert.That(error.ParamName, Is.EqualTo(parameter), error.Message);
        foreach (var fragment in fragments)
        {
            Assert.That(error.Message, Does.Contain(fragment));
        }
    }

    [Test]
    public void Pal_loss_rejects_wrong_ranks_shapes_dtypes_and_empty_batches()
    {
        using var scope = NewDisposeScope();
        var heatmap = rand(2, 1, 4, 4);
        Throws<ArgumentException>(() => PalFunctional.pal_loss(rand(2, 4, 4), heatmap), "attribution",
            "(B,C,h,w)", "[2, 4, 4]");
        Throws<ArgumentException>(() => PalFunctional.pal_loss(rand(2, 3, 4, 4), rand(2, 4, 4)), "heatmap",
            "(B,1,h,w)");
        Throws<ArgumentException>(() => PalFunctional.pal_loss(rand(3, 3, 4, 4), heatmap), "heatmap",
            "[3, 1, 4, 4]", "[2, 1, 4, 4]");
        Throws<ArgumentException>(() => PalFunctional.pal_loss(rand(2, 3, 4, 5), heatmap), "heatmap",
            "[2, 1, 4, 5]");
        Throws<ArgumentException>(() => PalFunctional.pal_loss(rand(2, 3, 4, 4), rand(2, 3, 4, 4)), "heatmap",
            "[2, 1, 4, 4]", "[2, 3, 4, 4]");
        Throws<ArgumentException>(() => PalFunctional.pal_loss(rand(2, 3, 4, 4, ScalarType.Float64), heatmap),
            "heatmap", "Float64", "Float32");
        Throws<ArgumentException>(() => PalFunctional.pal_loss(ones(2, 3, 4, 4, ScalarType.Int64), heatmap),
            "attribution", "floating-point", "Int64");
        Throws<ArgumentException>(() => PalFunctional.pal_loss(rand(0, 3, 4, 4), rand(0, 1, 4, 4)),
            "attribution", "empty");
        Throws<ArgumentOutOfRangeException>(() => PalFunctional.pal_loss(rand(2, 3, 4, 4), heatmap, eps: -1),
            "eps");
        Throws<ArgumentOutOfRangeException>(() => ChannelStrategy.FirstFraction(0), "fraction");
        Throws<ArgumentOutOfRangeException>(() => ChannelStrategy.FirstFraction(1.5), "fraction");
    }

    [Test]
    public void Mixed_devices_are_rejected()
    {
        using var scope = NewDisposeScope();
        // The meta device has shapes but no data: it stands in for a second device on a machine without one.
        var elsewhere = empty(2, 1, 4, 4, device: new Device(DeviceType.META));
        Throws<ArgumentException>(() => PalFunctional.pal_loss(rand(2, 3, 4, 4), elsewhere), "heatmap", "meta",
            "cpu");
        var landmarks = rand(2, 5, 2);
        var visible = empty(2, 5, ScalarType.Bool, device: new Device(DeviceType.META));
        Throws<ArgumentException>(() => PalFunctional.landmark_heatmap(landmarks, 8, 8, 4, 4, 1, visible),
            "visible", "meta");
    }

    [Test]
    public void Attribution_rejects_bad_logits_activations_and_targets()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.SmallCnn();
        using var tap = new LayerTap(model, "conv3");
        var logits = model.call(randn(2, 1, 8, 8, ScalarType.Float64));
        var a = tap.TakeActivation();
        var target = tensor(new long[] { 0, 1 });
        Throws<ArgumentException>(() => PalFunctional.attribution_map(logits.flatten(), a, target), "logits",
            "(B,K)");
        Throws<ArgumentException>(() => PalFunctional.attribution_map(logits, a.flatten(1), target),
            "activations[0]", "(B,C,h,w)");
        Throws<ArgumentException>(() => PalFunctional.attribution_map(logits, a, tensor(new long[] { 0, 1, 2 })),
            "target", "batch size 2");
        Throws<ArgumentException>(() => PalFunctional.attribution_map(logits, a, tensor(new[] { 0, 1 })),
            "target", "Int64", "Int32");
        Throws<ArgumentOutOfRangeException>(() => PalFunctional.attribution_map(logits, a,
            tensor(new long[] { 0, 3 })), "target", "[0, 3)", "[0, 3]");
        Throws<ArgumentOutOfRangeException>(() => PalFunctional.attribution_map(logits, a,
            tensor(new long[] { -1, 0 })), "target", "[0, 3)");
        Assert.Throws<ArgumentNullException>(() => PalFunctional.attribution_map(logits, a));
        Throws<ArgumentException>(() => PalFunctional.attribution_map(logits, a.detach(), target),
            "activations[0]", "no autograd graph");
        Throws<ArgumentException>(() => PalFunctional.attribution_map(logits.detach(), a, target), "logits",
            "no autograd graph");
        Throws<ArgumentException>(() => PalFunctional.attribution_map(logits, a[..1], target), "activations[0]",
            "batch size 2");
        Throws<ArgumentException>(() => PalFunctional.attribution_map(logits[..0], a[..0], target[..0]),
            "logits", "empty batch");
    }

    [Test]
    public void A_layer_that_does_not_influence_the_logits_is_named()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.SmallCnn();
        var x = randn(2, 1, 8, 8, ScalarType.Float64);
        var unrelated = (randn(2, 3, 4, 4, ScalarType.Float64) * 1).requires_grad_();
        var logits = model.call(x);
        var error = Assert.Throws<ArgumentException>(() => PalFunctional.attribution_maps(logits, [unrelated],
            tensor(new long[] { 0, 1 }), names: ["side.branch"]))!;
        Assert.That(error.Message, Does.Contain("'side.branch'").And.Contain("does not influence the logits"));
    }

    [Test]
    public void Unknown_layer_names_list_the_available_names()
    {
        using var model = TinyModels.SmallCnn();
        var error = Assert.Throws<ArgumentException>(() => new LayerTap(model, "conv9"))!;
        Assert.That(error.ParamName, Is.EqualTo("layerName"));
        Assert.That(error.Message, Does.Contain("'conv9'").And.Contain("'conv3'").And.Contain("'fc'"));
        Assert.Throws<ArgumentException>(() => new AttributionMap(model, "nope"));
    }

    [Test]
    public void Heatmap_rejects_bad_landmarks()
    {
        using var scope = NewDisposeScope();
        Throws<ArgumentException>(() => PalFunctional.landmark_heatmap(rand(2, 5), 8, 8, 4, 4, 1), "landmarks",
            "(B,K,2)");
        Throws<ArgumentException>(() => PalFunctional.landmark_heatmap(rand(2, 5, 3), 8, 8, 4, 4, 1), "landmarks",
            "(B,K,2)", "[2, 5, 3]");
        Throws<ArgumentException>(() => PalFunctional.landmark_heatmap(ones(2, 5, 2, ScalarType.Int32), 8, 8, 4,
            4, 1), "landmarks", "floating-point");
        Throws<ArgumentException>(() => PalFunctional.landmark_heatmap(rand(0, 5, 2), 8, 8, 4, 4, 1), "landmarks",
            "empty batch");
        Throws<ArgumentException>(() => PalFunctional.landmark_heatmap(rand(2, 5, 2), 8, 8, 4, 4, 1,
            ones(3, 5, ScalarType.Bool)), "visible", "[2, 5]", "[3, 5]");
        Throws<ArgumentException>(() => PalFunctional.landmark_heatmap(rand(2, 5, 2), 8, 8, 4, 4, 1,
            ones(2, 5)), "visible", "Bool");
        Throws<ArgumentOutOfRangeException>(() => PalFunctional.landmark_heatmap(rand(2, 5, 2), 8, 8, 4, 4, 0),
            "sigma");
        Throws<ArgumentOutOfRangeException>(() => PalFunctional.landmark_heatmap(rand(2, 5, 2), 8, 0, 4, 4, 1),
            "imageWidth");
        var nan = rand(2, 5, 2);
        nan[1, 3, 0] = tensor(float.NaN);
        Throws<ArgumentException>(() => PalFunctional.landmark_heatmap(nan, 8, 8, 4, 4, 1), "landmarks",
            "sample 1, point 3");
    }

    [Test]
    public void Objective_rejects_mismatched_batches_and_image_sizes()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.SmallCnn();
        using var prior = new HeatmapPrior(8, 8, 1.5);
        using var objective = new PalObjective(model, [new PalLayer("conv3", 1)], prior);
        var x = randn(2, 1, 8, 8, ScalarType.Float64);
        var labels = tensor(new long[] { 0, 1 });
        var landmarks = rand(2, 4, 2, ScalarType.Float64);
        Throws<ArgumentException>(() => objective.Compute(x, labels[..1], landmarks), "labels", "batch size 2");
        Throws<ArgumentException>(() => objective.Compute(x, labels, landmarks[..1]), "landmarks", "batch size 2");
        Throws<ArgumentException>(() => objective.Compute(randn(2, 1, 9, 8, ScalarType.Float64), labels,
            landmarks), "images", "9×8", "8×8");
        Throws<ArgumentOutOfRangeException>(() => objective.Compute(x, tensor(new long[] { 0, 7 }), landmarks),
            "labels", "[0, 3)");
        Assert.Throws<ArgumentException>(() => new PalObjective(model, [], prior));
        Assert.Throws<ArgumentException>(() =>
            new PalObjective(model, [new PalLayer("conv3", 1), new PalLayer("conv3", 2)], prior));
        Assert.Throws<ArgumentException>(() => new PalObjective(model, [new PalLayer("conv3", double.NaN)], prior));
    }
}
