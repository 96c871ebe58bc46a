using static TorchSharp.torch;

namespace PrivilegedAttribution.PretrainedWeightsTests;

/// <summary>A file that does not fit the model is refused before anything is copied, with the first entry that
/// differs (both shapes), the cause, and the first missing and unexpected names.</summary>
public sealed class RefusalTests
{
    [Test]
    public void A_VGG_file_into_a_ResNet_is_refused_naming_both_architectures_and_the_first_entry()
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.TorchVision("resnet18");
        var before = TestModels.Snapshot(model);
        var path = PyTorchFiles.PathOf("vgg11_bn.pth");

        var error = Assert.Throws<ArgumentException>(() => PretrainedWeights.Load(model, path, "fc"))!;

        Assert.That(error.ParamName, Is.EqualTo("path"));
        Assert.That(error.Message, Does.StartWith($"Cannot load '{path}' into the model: the file is the state dict " +
            "of a torchvision VGG-11 with batch normalisation (vgg11_bn) with 1000 classes, the model is a " +
            "torchvision ResNet-18 (resnet18) with 1000 classes."));
        Assert.That(error.Message, Does.Contain(
            "The first entry that differs: 'conv1.weight' ([64, 3, 7, 7] in the model) is not in the file."));
        Assert.That(error.Message, Does.Contain("Missing from the file (120 of 122): conv1.weight, bn1.weight, " +
            "bn1.bias, bn1.running_mean, bn1.running_var, …."));
        Assert.That(error.Message, Does.Contain("In the file but not in the model (62 of 62): " +
            "classifier.0.weight, classifier.0.bias, classifier.3.weight, classifier.3.bias, " +
            "classifier.6.weight, …."));
        Assert.That(TestModels.Unchanged(model, before), Is.True, "the model changed");
    }

    [Test]
    public void A_ResNet50_file_into_a_ResNet18_is_refused_naming_both_depths()
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.TorchVision("resnet18");

        var error = Assert.Throws<ArgumentException>(() =>
            PretrainedWeights.Load(model, PyTorchFiles.PathOf("resnet50.safetensors")))!;

        Assert.That(error.Message, Does.Contain("the file is the state dict of a torchvision ResNet-50 (resnet50) " +
            "with 1000 classes, the model is a torchvision ResNet-18 (resnet18)"));
        Assert.That(error.Message, Does.Contain("The first entry that differs: 'layer1.0.conv1.weight': the model " +
            "expects shape [64, 64, 3, 3], the file has [64, 64, 1, 1]."));
    }

    [Test]
    public void A_shape_that_differs_outside_the_head_is_refused_naming_the_entry()
    {
        var path = TamperedFiles.ResNet18(state => state["layer2.0.conv1.weight"] = zeros(128, 64, 5, 5));
        try
        {
            using var scope = NewDisposeScope();
            using var model = TestModels.TorchVision("resnet18", classes: 7);
            var before = TestModels.Snapshot(model);

            var error = Assert.Throws<ArgumentException>(() => PretrainedWeights.Load(model, path, "fc"))!;

            Assert.That(error.Message, Does.Contain("one entry differs between the model's state dict and the file's"));
            Assert.That(error.Message, Does.Contain("The first entry that differs: 'layer2.0.conv1.weight': the " +
                "model expects shape [128, 64, 3, 3], the file has [128, 64, 5, 5]."));
            Assert.That(error.Message, Does.Contain("Shapes that differ (1): 'layer2.0.conv1.weight' model " +
                "[128, 64, 3, 3], file [128, 64, 5, 5]."));
            Assert.That(TestModels.Unchanged(model, before), Is.True, "the model changed");
        }
        finally
        {
            TamperedFiles.Delete(path);
        }
    }

    [Test]
    public void Floating_point_values_for_an_integer_counter_are_refused()
    {
        var path = TamperedFiles.ResNet18(state =>
            state["layer1.0.bn1.num_batches_tracked"] = state["layer1.0.bn1.num_batches_tracked"].to(float32));
        try
        {
            using var scope = NewDisposeScope();
            using var model = TestModels.TorchVision("resnet18");

            var error = Assert.Throws<ArgumentException>(() => PretrainedWeights.Load(model, path))!;

            Assert.That(error.Message, Does.Contain(
                "The first entry that differs: 'layer1.0.bn1.num_batches_tracked': " +
                "the model holds integer values (Int64), the file floating-point values (Float32), which do not " +
                "convert into each other."));
        }
        finally
        {
            TamperedFiles.Delete(path);
        }
    }

    [Test]
    public void An_entry_the_model_lacks_is_refused()
    {
        var path = TamperedFiles.ResNet18(state => state["fc2.weight"] = zeros(3, 3));
        try
        {
            using var scope = NewDisposeScope();
            using var model = TestModels.TorchVision("resnet18");

            var error = Assert.Throws<ArgumentException>(() => PretrainedWeights.Load(model, path))!;

            Assert.That(error.Message, Does.Contain(
                "The first entry that differs: 'fc2.weight' ([3, 3]) is in the file but not in the model."));
            Assert.That(error.Message, Does.Contain("In the file but not in the model (1 of 123): fc2.weight."));
        }
        finally
        {
            TamperedFiles.Delete(path);
        }
    }
}
