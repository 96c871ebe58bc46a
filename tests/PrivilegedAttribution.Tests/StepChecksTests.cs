using TorchSharp;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Tests;

/// <summary>What a training step reads back to the host and what it says when the loop has no dispose scope.
/// </summary>
public sealed class StepChecksTests
{
    [Test]
    public void A_step_in_host_memory_reads_values_back_once_whatever_the_number_of_layers()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.SmallCnn(dtype: ScalarType.Float32);
        using var objective = new PalObjective(model,
            [new PalLayer("conv2", 0.3), new PalLayer("conv3", 0.9), new PalLayer(PalLayer.Input, 0.1)],
            new HeatmapPrior(8, 8, 1.5), criterion: nn.CrossEntropyLoss(weight: tensor(new float[] { 1, 2, 3 })));
        var (x, labels, landmarks) = (randn(4, 1, 8, 8), tensor(new long[] { 0, 1, 2, 1 }), rand(4, 6, 2) * 8);
        foreach (var guard in new[] { false, true })
        {
            objective.GuardNonFinite = guard;
            for (var step = 0; step < 3; step++)
            {
                using var inner = NewDisposeScope();
                var before = HostReads.Count;
                objective.Compute(x, labels, landmarks).Total.backward();
                Assert.That(HostReads.Count - before, Is.EqualTo(1), $"guard {guard}, step {step}");
            }
        }
    }

    [Test]
    public void Every_value_check_keeps_its_own_message()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.SmallCnn(dtype: ScalarType.Float32);
        using var objective = new PalObjective(model, [new PalLayer("conv3", 1.0)], new HeatmapPrior(8, 8, 1.5));
        var (x, labels, landmarks) = (randn(2, 1, 8, 8), tensor(new long[] { 0, 1 }), rand(2, 4, 2) * 8);

        var range = Assert.Throws<ArgumentOutOfRangeException>(() =>
            objective.Compute(x, tensor(new long[] { 0, -1 }), landmarks))!;
        Assert.That(range.Message, Does.Contain("labels must hold class indices in [0, 3)"));
        var normalised = Assert.Throws<ArgumentException>(() => objective.Compute(x, labels, landmarks / 8))!;
        Assert.That(normalised.Message, Does.Contain("they look normalised"));
        var nan = landmarks.clone();
        nan[1, 2, 0] = tensor(float.NaN);
        var nonFinite = Assert.Throws<ArgumentException>(() => objective.Compute(x, labels, nan))!;
        Assert.That(nonFinite.Message, Does.Contain("sample 1, point 2"));
        var badImages = x.clone();
        badImages[1] = tensor(float.NaN);
        model.eval();
        var attribution = Assert.Throws<ArgumentException>(() => objective.Compute(badImages, labels, landmarks))!;
        Assert.That(attribution.Message, Does.Contain("layer 'conv3'").And.Contain("sample 1"));
    }

    [Test]
    public void Compute_outside_a_dispose_scope_warns_once_on_standard_error()
    {
        using var model = TinyModels.SmallCnn(dtype: ScalarType.Float32);
        using var objective = new PalObjective(model, [new PalLayer("conv3", 1.0)], new HeatmapPrior(8, 8, 1.5));
        // Made outside any scope, as in the loop under test.
        var (x, labels, landmarks) = (randn(2, 1, 8, 8), tensor(new long[] { 0, 1 }), rand(2, 4, 2) * 8);
        var original = Console.Error;
        var captured = new StringWriter();
        Console.SetError(captured);
        try
        {
            using (NewDisposeScope())
            {
                objective.Compute(x, labels, landmarks);
            }

            Assert.That(captured.ToString(), Is.Empty, "inside a scope");
            objective.Compute(x, labels, landmarks).Total.Dispose();
            objective.Compute(x, labels, landmarks).Total.Dispose();
        }
        finally
        {
            Console.SetError(original);
            x.Dispose();
            labels.Dispose();
            landmarks.Dispose();
        }

        var text = captured.ToString();
        Assert.That(text, Does.Contain("outside a dispose scope").And.Contain("torch.NewDisposeScope()"));
        Assert.That(text.Split("outside a dispose scope").Length - 1, Is.EqualTo(1), "once per objective");
    }

    [Test]
    public void A_step_with_a_criterion_and_an_input_term_leaks_no_tensor()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.SmallCnn(dtype: ScalarType.Float32);
        using var criterion = nn.CrossEntropyLoss(weight: tensor(new float[] { 1, 2, 3 }));
        using var objective = new PalObjective(model, [new PalLayer("conv3", 1.0), new PalLayer(PalLayer.Input, 0.5)],
            new HeatmapPrior(8, 8, 1.5), criterion: criterion);
        using var optimizer = optim.SGD(model.parameters(), 0.01);
        var (x, labels, landmarks) = (randn(4, 1, 8, 8), tensor(new long[] { 0, 1, 2, 1 }), rand(4, 6, 2) * 8);
        var (before, after) = TrainingLeaks.LiveTensors(objective, optimizer, x, labels, landmarks, steps: 5,
            zeroGrad: () => model.zero_grad());
        Assert.That(after, Is.EqualTo(before));
    }
}
