using TorchSharp;
using static TorchSharp.torch;

namespace PrivilegedAttribution.PretrainedWeightsTests;

/// <summary>A load leaves no native tensor alive but the model's own, whether it succeeds or is refused.</summary>
public sealed class NativeTensorLeakTests
{
    [TestCase("resnet18.pth", null)]
    [TestCase("resnet18.safetensors", null)]
    [TestCase("resnet18.float16.pth", null)]
    [TestCase("vgg11_bn.pth", "the VGG file is refused")]
    public void A_load_leaves_no_tensor_alive(string file, string? refusal)
    {
        using var model = TestModels.TorchVision("resnet18");
        model.to(ScalarType.Float64);
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        if (refusal is null)
        {
            PretrainedWeights.Load(model, PyTorchFiles.PathOf(file));
        }
        else
        {
            Assert.Throws<ArgumentException>(() => PretrainedWeights.Load(model, PyTorchFiles.PathOf(file)), refusal);
        }

        Assert.That(DisposeScopeManager.Statistics.ThreadTotalLiveCount, Is.EqualTo(before));
    }

    [Test]
    public void A_damaged_file_leaves_no_tensor_alive()
    {
        var path = PyTorchFiles.CopyToTemporary("tiny.pth");
        try
        {
            var bytes = File.ReadAllBytes(path);
            // The last tensor's storage entry loses its bytes: the archive stays readable, the data does not.
            File.WriteAllBytes(path, bytes[..(bytes.Length * 3 / 4)]);
            using var model = TestModels.Tiny();
            var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

            Assert.Throws<InvalidDataException>(() => PretrainedWeights.Load(model, path));

            Assert.That(DisposeScopeManager.Statistics.ThreadTotalLiveCount, Is.EqualTo(before));
        }
        finally
        {
            TamperedFiles.Delete(path);
        }
    }
}
