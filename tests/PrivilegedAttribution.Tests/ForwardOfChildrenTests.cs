using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using static PrivilegedAttribution.Tests.Numerics;

namespace PrivilegedAttribution.Tests;

/// <summary>Models written as TorchSharp's examples write them, running their children with
/// <c>child.forward(x)</c>: hooks cannot see those children, the error says which parent to change, and the
/// hook-free objective trains them unchanged.</summary>
public sealed class ForwardOfChildrenTests
{
    [Test]
    public void A_child_run_with_forward_is_named_with_its_parent_and_the_fix()
    {
        using var scope = NewDisposeScope();
        using var model = new ExampleStyleCnn();
        using var objective = new PalObjective(model, [new PalLayer("conv2", 1.0)], new HeatmapPrior(12, 12, 2));
        var error = Assert.Throws<InvalidOperationException>(() => objective.Compute(
            randn(2, 1, 12, 12, ScalarType.Float64), tensor(new long[] { 0, 1 }),
            rand(2, 4, 2, ScalarType.Float64) * 12))!;
        Assert.That(error.Message, Does.Contain("Layer 'conv2' ran in the forward pass")
            .And.Contain("ExampleStyleCnn.forward").And.Contain("`.forward(x)`").And.Contain("`conv2.call(x)`")
            .And.Contain("new PalObjective(forward:"));
    }

    [Test]
    public void A_nested_child_names_its_parent_module()
    {
        using var scope = NewDisposeScope();
        using var model = Sequential(("block", new ExampleStyleCnn()));
        using var objective = new PalObjective(model, [new PalLayer("block.conv2", 1.0)], new HeatmapPrior(12, 12, 2));
        var error = Assert.Throws<InvalidOperationException>(() => objective.Compute(
            randn(2, 1, 12, 12, ScalarType.Float64), tensor(new long[] { 0, 1 }),
            rand(2, 4, 2, ScalarType.Float64) * 12))!;
        Assert.That(error.Message, Does.Contain("its parent module 'block'").And.Contain("`conv2.call(x)`"));
    }

    [Test]
    public void A_parameterless_child_run_with_forward_gets_both_explanations()
    {
        using var scope = NewDisposeScope();
        using var model = new ExampleStyleCnn();
        using var objective = new PalObjective(model, [new PalLayer("pool", 1.0)], new HeatmapPrior(12, 12, 2));
        var error = Assert.Throws<InvalidOperationException>(() => objective.Compute(
            randn(2, 1, 12, 12, ScalarType.Float64), tensor(new long[] { 0, 1 }),
            rand(2, 4, 2, ScalarType.Float64) * 12))!;
        Assert.That(error.Message, Does.Contain("'pool' did not run").And.Contain("`.forward(x)`")
            .And.Contain("never calls it"));
    }

    [Test]
    public void The_hook_free_objective_trains_the_unchanged_model_like_a_hooked_copy()
    {
        using var scope = NewDisposeScope();
        using var model = new ExampleStyleCnn();
        model.eval();
        var (x, labels, landmarks) = (randn(3, 1, 12, 12, ScalarType.Float64), tensor(new long[] { 0, 1, 1 }),
            rand(3, 4, 2, ScalarType.Float64) * 12);
        using var free = new PalObjective(forward: images =>
            {
                var features = model.Features(images);
                return (model.Head(features), [features]);
            }, [new PalLayer("conv2", 0.6)], new HeatmapPrior(12, 12, 2));
        var output = free.Compute(x, labels, landmarks);

        // The same network with its children run through call(), tapped by a hook.
        using var hooked = Sequential(("conv1", model.conv1), ("relu1", ReLU()), ("conv2", model.conv2),
            ("relu2", ReLU()), ("pool", model.pool), ("flat", Flatten()), ("fc", model.fc));
        using var objective = new PalObjective(hooked, [new PalLayer("conv2", 0.6)], new HeatmapPrior(12, 12, 2),
            cloneOutputs: false);
        var expected = objective.Compute(x, labels, landmarks);
        Assert.That(Scalar(output.Total), Is.EqualTo(Scalar(expected.Total)).Within(1e-12));
        Assert.That(Scalar(output.Terms[0].Loss), Is.EqualTo(Scalar(expected.Terms[0].Loss)).Within(1e-12));
        Assert.That(ObjectiveGradients.RelativeErrorOfEveryParameter(free, model, x, labels, landmarks),
            Is.LessThan(1e-5));
    }

    [Test]
    public void A_forward_function_must_return_one_activation_per_layer()
    {
        using var scope = NewDisposeScope();
        using var model = new ExampleStyleCnn();
        using var objective = new PalObjective(forward: images => (model.call(images), []),
            [new PalLayer("conv2", 1.0)], new HeatmapPrior(12, 12, 2));
        var error = Assert.Throws<InvalidOperationException>(() => objective.Compute(
            randn(2, 1, 12, 12, ScalarType.Float64), tensor(new long[] { 0, 1 }),
            rand(2, 4, 2, ScalarType.Float64) * 12))!;
        Assert.That(error.Message, Does.Contain("returned 0 activations for the 1 layers").And.Contain("'conv2'"));
    }

    /// <summary>As in dotnet/TorchSharpExamples: children are fields, run with <c>.forward()</c>.</summary>
    private sealed class ExampleStyleCnn : Module<Tensor, Tensor>
    {
        internal readonly Conv2d conv1 = Conv2d(1, 4, 3, dtype: ScalarType.Float64);
        internal readonly Conv2d conv2 = Conv2d(4, 6, 3, dtype: ScalarType.Float64);
        internal readonly MaxPool2d pool = MaxPool2d(2);
        internal readonly Linear fc = Linear(6 * 4 * 4, 2, dtype: ScalarType.Float64);

        public ExampleStyleCnn()
            : base(nameof(ExampleStyleCnn))
        {
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => Head(Features(input));

        internal Tensor Features(Tensor input) => conv2.forward(functional.relu(conv1.forward(input)));

        internal Tensor Head(Tensor features) =>
            fc.forward(pool.forward(functional.relu(features)).flatten(1));
    }
}
