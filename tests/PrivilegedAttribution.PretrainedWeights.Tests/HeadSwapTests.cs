using static TorchSharp.torch;

namespace PrivilegedAttribution.PretrainedWeightsTests;

/// <summary>ImageNet's 1000-class head against the model's K: named as the head, it keeps the model's values while
/// everything else loads; unnamed, it is refused with the head to pass.</summary>
public sealed class HeadSwapTests
{
    [TestCase("resnet18", "resnet18.pth", PretrainedWeights.ResNetHead, 512)]
    [TestCase("vgg11_bn", "vgg11_bn.pth", PretrainedWeights.VggHead, 4096)]
    public void A_head_for_7_classes_keeps_its_values_and_everything_else_loads(string arch, string file,
        string head, long features)
    {
        using var scope = NewDisposeScope();
        using var reference = TestModels.TorchVision(arch);
        PretrainedWeights.Load(reference, PyTorchFiles.PathOf(file));
        var expected = reference.state_dict();
        using var model = TestModels.TorchVision(arch, classes: 7);
        var initialHead = TestModels.Snapshot(model).Where(e => e.Key.StartsWith(head + ".", StringComparison.Ordinal))
            .ToDictionary();

        var report = PretrainedWeights.Load(model, PyTorchFiles.PathOf(file), head);

        Assert.That(report.KeptHead.Select(e => e.Name), Is.EqualTo(new[] { $"{head}.weight", $"{head}.bias" }));
        Assert.That(report.KeptHead[0].ModelShape, Is.EqualTo(new[] { 7L, features }));
        Assert.That(report.KeptHead[0].FileShape, Is.EqualTo(new[] { 1000L, features }));
        Assert.That(report.KeptHead[1].FileShape, Is.EqualTo(new[] { 1000L }));
        Assert.That(report.HeadLoaded, Is.False);
        Assert.That(report.ToString(), Does.Contain($"kept the model's head '{head}'"));
        var state = model.state_dict();
        Assert.That(report.Loaded, Has.Count.EqualTo(state.Count - 2));
        foreach (var (name, value) in state)
        {
            var same = initialHead.TryGetValue(name, out var initial) ? initial : expected[name];
            Assert.That(TestModels.Identical(value, same), Is.True,
                $"{name} holds neither the file's value nor its own");
        }

        Assert.That(TestModels.Logits(model, PyTorchFiles.Input()).shape, Is.EqualTo(new[] { 2L, 7L }));
    }

    [Test]
    public void The_report_says_in_one_line_what_was_loaded_and_kept()
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.TorchVision("resnet18", classes: 7);
        var path = PyTorchFiles.PathOf("resnet18.pth");

        var report = PretrainedWeights.Load(model, path, PretrainedWeights.ResNetHead);

        Assert.That(report.ToString(), Is.EqualTo($"Loaded 120 of 122 entries from '{path}' (PyTorchZip, a " +
            "torchvision ResNet-18 (resnet18) with 1000 classes); kept the model's head 'fc': fc.weight: model " +
            "[7, 512], file [1000, 512]; fc.bias: model [7], file [1000]."));
    }

    [Test]
    public void A_named_head_that_fits_is_loaded_too()
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.TorchVision("resnet18");

        var report = PretrainedWeights.Load(model, PyTorchFiles.PathOf("resnet18.safetensors"), "fc");

        Assert.That(report.HeadLoaded, Is.True);
        Assert.That(report.Loaded, Does.Contain("fc.weight").And.Contain("fc.bias"));
        Assert.That(TestModels.MaxDifference(TestModels.Logits(model, PyTorchFiles.Input()),
            PyTorchFiles.Logits("resnet18")), Is.LessThanOrEqualTo(1e-4));
    }

    [Test]
    public void A_file_without_a_head_loads_the_backbone_and_keeps_the_head()
    {
        var path = TamperedFiles.ResNet18(state =>
        {
            state.Remove("fc.weight");
            state.Remove("fc.bias");
        });
        try
        {
            using var scope = NewDisposeScope();
            using var model = TestModels.TorchVision("resnet18", classes: 7);
            var report = PretrainedWeights.Load(model, path, "fc");

            Assert.That(report.KeptHead.Select(e => e.FileShape), Is.All.Null);
            Assert.That(report.ToString(), Does.Contain("fc.weight: model [7, 512], file none"));
        }
        finally
        {
            TamperedFiles.Delete(path);
        }
    }

    [Test]
    public void A_file_head_with_an_entry_the_models_head_lacks_is_kept_whole()
    {
        var path = TamperedFiles.ResNet18(state => state["fc.scale"] = ones(1000));
        try
        {
            using var scope = NewDisposeScope();
            using var model = TestModels.TorchVision("resnet18");
            var report = PretrainedWeights.Load(model, path, "fc");

            Assert.That(report.HeadLoaded, Is.False);
            Assert.That(report.KeptHead.Select(e => e.Name), Is.EqualTo(new[] { "fc.weight", "fc.bias" }));
        }
        finally
        {
            TamperedFiles.Delete(path);
        }
    }

    [Test]
    public void Without_a_head_another_number_of_classes_is_refused_naming_the_head_to_pass()
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.TorchVision("resnet18", classes: 7);
        var before = TestModels.Snapshot(model);
        var path = PyTorchFiles.PathOf("resnet18.pth");

        var error = Assert.Throws<ArgumentException>(() => PretrainedWeights.Load(model, path))!;

        Assert.That(error.ParamName, Is.EqualTo("path"));
        Assert.That(error.Message, Does.Contain($"Cannot load '{path}'"));
        Assert.That(error.Message, Does.Contain("The first entry that differs: 'fc.weight': the model expects shape " +
            "[7, 512], the file has [1000, 512]"));
        Assert.That(error.Message, Does.Contain("(the model has 7 classes, the file 1000)"));
        Assert.That(error.Message, Does.Contain("pass head: \"fc\""));
        Assert.That(error.Message, Does.Contain("Nothing was copied into the model."));
        Assert.That(TestModels.Unchanged(model, before), Is.True, "the model changed");
    }

    [TestCase("classifier", "has no parameter or buffer under the module 'classifier', so it cannot be the head")]
    [TestCase("fc.weight", "'fc.weight' is one of its entries: name the module that holds it, 'fc'")]
    public void A_head_that_is_not_a_module_with_parameters_is_refused(string head, string message)
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.TorchVision("resnet18", classes: 7);

        var error = Assert.Throws<ArgumentException>(() =>
            PretrainedWeights.Load(model, PyTorchFiles.PathOf("resnet18.pth"), head))!;

        Assert.That(error.ParamName, Is.EqualTo("head"));
        Assert.That(error.Message, Does.Contain(message));
        Assert.That(error.Message,
            Does.Contain("last modules with parameters: 'layer4.1.conv2', 'layer4.1.bn2', 'fc'"));
    }
}
