using TorchSharp;
using static TorchSharp.torch;
using static PrivilegedAttribution.Tests.Numerics;

namespace PrivilegedAttribution.Tests;

public sealed class ResourceTests
{
    [Test]
    public void A_hundred_training_steps_leak_no_native_tensor()
    {
        using var model = TinyModels.SmallCnn(dtype: ScalarType.Float32);
        using var prior = new HeatmapPrior(8, 8, 1.5, outputHeight: 4, outputWidth: 4);
        using var objective = new PalObjective(model,
            [new PalLayer("conv2", 0.2, ChannelStrategy.AllChannels), new PalLayer("conv3", 0.5)], prior);
        var optimizer = optim.SGD(model.parameters(), 0.01);
        using var x = randn(4, 1, 8, 8);
        using var labels = tensor(new long[] { 0, 1, 2, 1 });
        using var landmarks = rand(4, 5, 2) * 8;
        var (before, after) = TrainingLeaks.LiveTensors(objective, optimizer, x, labels, landmarks, steps: 100);
        Assert.That(after, Is.EqualTo(before), "live tensors after 100 steps minus before");
    }

    [Test]
    public void Functional_calls_leave_no_tensor_behind_but_their_result()
    {
        using var attribution = randn(2, 3, 4, 4);
        using var heatmap = rand(2, 1, 4, 4);
        using var landmarks = rand(2, 5, 2) * 8;
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using (var loss = PalFunctional.pal_loss(attribution, heatmap))
        using (var map = PalFunctional.landmark_heatmap(landmarks, 8, 8, 4, 4, 1.0))
        {
            Assert.That(DisposeScopeManager.Statistics.ThreadTotalLiveCount, Is.EqualTo(before + 2));
        }

        Assert.That(DisposeScopeManager.Statistics.ThreadTotalLiveCount, Is.EqualTo(before));
    }

    [TestCase(ScalarType.Float32)]
    [TestCase(ScalarType.Float64)]
    [TestCase(ScalarType.BFloat16)]
    public void A_training_step_runs_in_each_floating_dtype(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.SmallCnn(dtype: dtype);
        using var objective = new PalObjective(model, [new PalLayer("conv3", 1.0)], new HeatmapPrior(8, 8, 2));
        var output = objective.Compute(randn(2, 1, 8, 8, dtype), tensor(new long[] { 0, 2 }),
            (rand(2, 4, 2) * 8).to(dtype));
        Assert.That(output.Terms[0].Loss.dtype, Is.EqualTo(dtype));
        output.Total.backward();
        var grad = model.named_parameters().Single(p => p.name == "conv1.weight").parameter.grad!;
        Assert.That(grad.dtype, Is.EqualTo(dtype));
        Assert.That(Values(grad), Is.All.Matches<double>(double.IsFinite));
    }

    [Test]
    public void On_cuda_everything_stays_on_the_device()
    {
        if (!cuda.is_available())
        {
            Assert.Ignore("CUDA is not available on this machine.");
        }

        using var scope = NewDisposeScope();
        var device = CUDA;
        using var model = TinyModels.SmallCnn(dtype: ScalarType.Float32);
        model.to(device);
        using var objective = new PalObjective(model, [new PalLayer("conv3", 1.0)], new HeatmapPrior(8, 8, 2));
        var output = objective.Compute(randn(2, 1, 8, 8, device: device), tensor(new long[] { 0, 2 }, device: device),
            rand(2, 4, 2, device: device) * 8);
        Assert.That(output.Total.device_type, Is.EqualTo(DeviceType.CUDA));
        output.Total.backward();
    }
}
