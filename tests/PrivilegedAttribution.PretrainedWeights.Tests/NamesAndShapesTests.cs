using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace PrivilegedAttribution.PretrainedWeightsTests;

/// <summary>TorchVision.NET's models have torchvision's state dict names and shapes, for every architecture the
/// package names, checked against torchvision's own (the names-only files carry names, dtypes and shapes, and zeros
/// that are never read).</summary>
public sealed class NamesAndShapesTests
{
    [TestCase("resnet18", "resnet18.safetensors", "a torchvision ResNet-18 (resnet18) with 1000 classes")]
    [TestCase("resnet34", "resnet34.names.safetensors", "a torchvision ResNet-34 (resnet34) with 1000 classes")]
    [TestCase("resnet50", "resnet50.safetensors", "a torchvision ResNet-50 (resnet50) with 1000 classes")]
    [TestCase("vgg11", "vgg11.names.safetensors", "a torchvision VGG-11 (vgg11) with 1000 classes")]
    [TestCase("vgg11_bn", "vgg11_bn.names.safetensors",
        "a torchvision VGG-11 with batch normalisation (vgg11_bn) with 1000 classes")]
    [TestCase("vgg16", "vgg16.names.safetensors", "a torchvision VGG-16 (vgg16) with 1000 classes")]
    [TestCase("vgg16_bn", "vgg16_bn.names.safetensors",
        "a torchvision VGG-16 with batch normalisation (vgg16_bn) with 1000 classes")]
    public void Every_entry_of_TorchVision_NETs_model_matches_torchvisions_in_name_shape_and_order(string arch,
        string file, string layout)
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.TorchVision(arch);
        var entries = ModelState.Entries(model);
        var path = PyTorchFiles.PathOf(file);
        using var stream = File.OpenRead(path);
        var weights = WeightFile.Open(stream, path);

        var plan = LoadPlan.Make(entries, weights, head: null, "path");

        Assert.That(plan.Copies.Select(c => c.ModelName), Is.EqualTo(entries.Select(e => e.Name)));
        Assert.That(plan.FileLayout?.ToString(), Is.EqualTo(layout));
        Assert.That(entries.Select(e => e.Name), Is.EquivalentTo(model.state_dict().Keys),
            "the walk lists what state_dict() holds");
        Assert.That(entries.Select(e => e.Name), Is.EqualTo(HeaderOrder(path)), "PyTorch's order");
    }

    /// <summary>The names in a safetensors header in the order write_weights.py wrote them: PyTorch's state dict
    /// order.</summary>
    private static List<string> HeaderOrder(string path)
    {
        using var stream = File.OpenRead(path);
        var prefix = new byte[8];
        stream.ReadExactly(prefix);
        var header = new byte[BitConverter.ToInt64(prefix)];
        stream.ReadExactly(header);
        using var document = JsonDocument.Parse(Encoding.UTF8.GetString(header));
        return document.RootElement.EnumerateObject().Select(p => p.Name).Where(n => n != "__metadata__").ToList();
    }
}
