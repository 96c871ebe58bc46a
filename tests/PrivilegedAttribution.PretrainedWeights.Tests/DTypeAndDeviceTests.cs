using TorchSharp;
using static TorchSharp.torch;

namespace PrivilegedAttribution.PretrainedWeightsTests;

/// <summary>The model's dtype and device win: values are converted on the way in, whatever the file holds.</summary>
public sealed class DTypeAndDeviceTests
{
    /// <summary>A half-precision file into a float32 model: each value is the float32 one rounded to the file's
    /// dtype, and the model stays float32.</summary>
    [TestCase("resnet18.float16.pth", ScalarType.Float16)]
    [TestCase("resnet18.bfloat16.safetensors", ScalarType.BFloat16)]
    public void A_half_precision_file_loads_into_a_float32_model(string file, ScalarType fileDType)
    {
        using var scope = NewDisposeScope();
        using var reference = TestModels.TorchVision("resnet18");
        PretrainedWeights.Load(reference, PyTorchFiles.PathOf("resnet18.pth"));
        using var model = TestModels.TorchVision("resnet18");

        PretrainedWeights.Load(model, PyTorchFiles.PathOf(file));

        var expected = reference.state_dict();
        foreach (var (name, value) in model.state_dict())
        {
            var rounded = expected[name].is_floating_point()
                ? expected[name].to(fileDType).to(value.dtype)
                : expected[name];
            Assert.That(value.dtype, Is.EqualTo(expected[name].dtype), name);
            Assert.That(TestModels.Identical(value, rounded), Is.True, $"{name} is not the file's value");
        }
    }

    [Test]
    public void A_float32_file_loads_into_a_bfloat16_model()
    {
        using var scope = NewDisposeScope();
        using var reference = TestModels.TorchVision("resnet18");
        PretrainedWeights.Load(reference, PyTorchFiles.PathOf("resnet18.pth"));
        using var model = TestModels.TorchVision("resnet18");
        model.to(ScalarType.BFloat16);

        PretrainedWeights.Load(model, PyTorchFiles.PathOf("resnet18.safetensors"));

        var state = model.state_dict();
        Assert.That(state["conv1.weight"].dtype, Is.EqualTo(ScalarType.BFloat16));
        Assert.That(state["bn1.num_batches_tracked"].dtype, Is.EqualTo(ScalarType.Int64));
        foreach (var (name, value) in reference.state_dict())
        {
            Assert.That(TestModels.Identical(state[name], value.to(state[name].dtype)), Is.True, name);
        }
    }

    [Test]
    public void On_cuda_the_values_go_to_the_models_device()
    {
        if (!cuda.is_available())
        {
            Assert.Ignore("CUDA is not available on this machine.");
        }

        using var scope = NewDisposeScope();
        using var model = TestModels.TorchVision("resnet18");
        model.to(CUDA);

        PretrainedWeights.Load(model, PyTorchFiles.PathOf("resnet18.safetensors"));

        Assert.That(model.state_dict().Values.Select(v => v.device_type), Is.All.EqualTo(DeviceType.CUDA));
        var logits = TestModels.Logits(model, PyTorchFiles.Input().to(CUDA)).cpu();
        Assert.That(TestModels.MaxDifference(logits, PyTorchFiles.Logits("resnet18")), Is.LessThanOrEqualTo(1e-3));
    }
}
