using TorchSharp;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Tests;

/// <summary>
/// The README recommends dropping the gradients between PAL steps (<c>model.zero_grad()</c>) rather than zeroing them
/// in place (<c>optimizer.zero_grad()</c>): kept gradients stay allocated through the next forward, and PAL's
/// second-order weight gradients wait beside them (the ratio driver's peak-memory rows). The advice is only safe if
/// every parameter receives its gradient in every PAL step, because an optimiser skips a parameter whose gradient is
/// missing but moves one whose gradient is zero (momentum, weight decay): then both ways train identically.
/// </summary>
public sealed class GradientZeroingTests
{
    [TestCase("sgd")]
    [TestCase("adam")]
    public void Dropping_the_gradients_trains_exactly_as_zeroing_them_in_place(string optimizerName)
    {
        using var scope = NewDisposeScope();
        var x = randn(4, 1, 8, 8, ScalarType.Float64);
        var labels = tensor(new long[] { 0, 1, 2, 1 });
        var landmarks = rand(4, 6, 2, ScalarType.Float64) * 8;
        using var prior = new HeatmapPrior(8, 8, 2);
        PalLayer[] layers = [new("conv2", 0.5), new("conv3", 1.0)];

        manual_seed(7);
        using var kept = TinyModels.SmallCnn();
        manual_seed(7);
        using var dropped = TinyModels.SmallCnn();
        using var keptObjective = new PalObjective(kept, layers, prior);
        using var droppedObjective = new PalObjective(dropped, layers, prior);
        var keptOptimizer = Optimizer(optimizerName, kept);
        var droppedOptimizer = Optimizer(optimizerName, dropped);

        for (var i = 0; i < 4; i++)
        {
            using (NewDisposeScope())
            {
                keptOptimizer.zero_grad();
                keptObjective.Compute(x, labels, landmarks).Total.backward();
                keptOptimizer.step();
            }

            using (NewDisposeScope())
            {
                dropped.zero_grad();
                Assert.That(dropped.parameters().Select(p => p.grad), Is.All.Null, "model.zero_grad() drops them");
                droppedObjective.Compute(x, labels, landmarks).Total.backward();
                droppedOptimizer.step();
            }
        }

        var droppedParameters = dropped.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, parameter) in kept.named_parameters())
        {
            Assert.That(parameter.eq(droppedParameters[name]).all().item<bool>(), Is.True, name);
        }

        Assert.That(kept.parameters().First().eq(InitialFirstWeight()).all().item<bool>(), Is.False,
            "training moved the weights");
    }

    [Test]
    public void A_pal_training_loop_that_drops_the_gradients_leaks_no_tensor()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.SmallCnn();
        using var objective = new PalObjective(model, [new PalLayer("conv3", 1.0)], new HeatmapPrior(8, 8, 2));
        var optimizer = optim.SGD(model.parameters(), 0.01, momentum: 0.9);
        var x = randn(4, 1, 8, 8, ScalarType.Float64);
        var labels = tensor(new long[] { 0, 1, 2, 1 });
        var landmarks = rand(4, 6, 2, ScalarType.Float64) * 8;

        var (before, after) = TrainingLeaks.LiveTensors(objective, optimizer, x, labels, landmarks, steps: 20,
            zeroGrad: () => model.zero_grad());

        Assert.That(after, Is.EqualTo(before));
    }

    // The first weight of a SmallCnn built from seed 7, before any step.
    private static Tensor InitialFirstWeight()
    {
        manual_seed(7);
        using var fresh = TinyModels.SmallCnn();
        return fresh.parameters().First().detach().clone();
    }

    private static optim.Optimizer Optimizer(string name, nn.Module model) => name switch
    {
        "sgd" => optim.SGD(model.parameters(), 0.05, momentum: 0.9, weight_decay: 1e-3),
        "adam" => optim.Adam(model.parameters(), 0.01, weight_decay: 1e-3),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };
}
