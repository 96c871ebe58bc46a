using TorchSharp;
using static TorchSharp.torch;

namespace PrivilegedAttribution.PretrainedWeightsTests;

/// <summary>A state dict saved by PyTorch, loaded into TorchVision.NET's model of the same architecture, gives
/// PyTorch's logits: every name maps to the right tensor, BatchNorm's statistics included, and the two libraries
/// build the same network.</summary>
public sealed class LogitsAgreementTests
{
    /// <summary>The bound for float32 logits.</summary>
    private const double Float32Tolerance = 1e-4;

    /// <summary>float64 rounding through a few dozen layers, relative to the largest logit.</summary>
    private const double Float64Tolerance = 1e-9;

    [TestCase("resnet18", "resnet18.pth", WeightFileFormat.PyTorchZip)]
    [TestCase("resnet18", "resnet18.safetensors", WeightFileFormat.Safetensors)]
    [TestCase("vgg11_bn", "vgg11_bn.pth", WeightFileFormat.PyTorchZip)]
    public void A_torchvision_file_reproduces_PyTorchs_float32_logits(string arch, string file,
        WeightFileFormat format)
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.TorchVision(arch);
        var report = PretrainedWeights.Load(model, PyTorchFiles.PathOf(file));

        Assert.That(report.Format, Is.EqualTo(format));
        Assert.That(report.Loaded, Has.Count.EqualTo(model.state_dict().Count));
        Assert.That(report.KeptHead, Is.Empty);
        var logits = TestModels.Logits(model, PyTorchFiles.Input());
        Assert.That(TestModels.MaxDifference(logits, PyTorchFiles.Logits(arch)),
            Is.LessThanOrEqualTo(Float32Tolerance));
    }

    /// <summary>ResNet-50's random weights give logits near 100, where float32's rounding alone (different convolution
    /// kernels in the two libraries) exceeds 1e-4: the bound is relative here, and float64 below is exact.</summary>
    [TestCase("resnet50.pth")]
    [TestCase("resnet50.safetensors")]
    public void ResNet50_reproduces_PyTorchs_float32_logits_to_rounding(string file)
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.TorchVision("resnet50");
        PretrainedWeights.Load(model, PyTorchFiles.PathOf(file));

        var expected = PyTorchFiles.Logits("resnet50");
        var largest = expected.abs().max().item<float>();
        var logits = TestModels.Logits(model, PyTorchFiles.Input());
        Assert.That(TestModels.MaxDifference(logits, expected),
            Is.LessThanOrEqualTo(Float32Tolerance * Math.Max(1, largest)));
    }

    /// <summary>Also the dtype conversion: float32 files into float64 models.</summary>
    [TestCase("resnet18", "resnet18.safetensors")]
    [TestCase("vgg11_bn", "vgg11_bn.pth")]
    [TestCase("resnet50", "resnet50.pth")]
    public void In_float64_the_logits_agree_to_rounding(string arch, string file)
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.TorchVision(arch);
        model.to(ScalarType.Float64);
        PretrainedWeights.Load(model, PyTorchFiles.PathOf(file));

        var expected = PyTorchFiles.Logits64(arch);
        var largest = expected.abs().max().item<double>();
        var logits = TestModels.Logits(model, PyTorchFiles.Input().to(ScalarType.Float64));
        Assert.That(logits.dtype, Is.EqualTo(ScalarType.Float64));
        Assert.That(TestModels.MaxDifference(logits, expected),
            Is.LessThanOrEqualTo(Float64Tolerance * Math.Max(1, largest)));
    }

    [TestCase("tiny.pth")]
    [TestCase("tiny.safetensors")]
    public void Any_module_with_PyTorchs_names_loads_and_agrees(string file)
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.Tiny();
        var report = PretrainedWeights.Load(model, PyTorchFiles.PathOf(file));

        Assert.That(report.FileLayout, Is.Null, "not a torchvision layout");
        var logits = TestModels.Logits(model, PyTorchFiles.Floats("tiny.input.f32", 2, 3, 8, 8));
        Assert.That(TestModels.MaxDifference(logits, PyTorchFiles.Floats("tiny.logits.f32", 2, 5)),
            Is.LessThanOrEqualTo(Float32Tolerance));
    }

    [Test]
    public void Batch_norm_statistics_and_counters_are_loaded()
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.TorchVision("resnet18");
        PretrainedWeights.Load(model, PyTorchFiles.PathOf("resnet18.safetensors"));

        var state = model.state_dict();
        // write_weights.py draws the running variance in [0.5, 1.5) and the counter in [1, 10000): TorchVision.NET's
        // initial values (1 and 0) would fail.
        Assert.That(state["bn1.running_var"].min().item<float>(), Is.GreaterThanOrEqualTo(0.5f));
        Assert.That(state["bn1.running_var"].eq(1f).any().item<bool>(), Is.False);
        Assert.That(state["bn1.num_batches_tracked"].item<long>(), Is.InRange(1L, 9999L));
    }
}
