using PrivilegedAttribution.Samples;
using TorchSharp;
using static TorchSharp.torch;
using static PrivilegedAttribution.Tests.Numerics;

namespace PrivilegedAttribution.Tests.Samples;

/// <summary>The samples' <c>--weights PATH</c>: a TorchSharp state dict of the model with the ImageNet head, loaded,
/// checked, and carried into a model whose head is replaced for the task's classes.</summary>
public sealed class PretrainedBackboneTests
{
    private string _folder = "";

    [SetUp]
    public void CreateFolder() =>
        _folder = Directory.CreateTempSubdirectory("pretrained-backbone-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    [Test]
    public void A_saved_state_dict_loaded_into_a_fresh_model_reproduces_its_outputs()
    {
        using var scope = NewDisposeScope();
        using var trained = TrainedImageNetResNet();
        var path = Path.Combine(_folder, "resnet18.dat");
        trained.save(path);
        var x = randn(3, 3, 32, 32);
        var expected = trained.call(x);

        using var fresh = torchvision.models.resnet18();
        fresh.eval();
        Assert.That(Scalar((fresh.call(x) - expected).abs().max()), Is.GreaterThan(1e-3),
            "a fresh model differs before loading (else the test proves nothing)");
        PretrainedBackbone.Load(fresh, path);
        AssertClose(fresh.call(x), expected, 0, 0, "logits after loading");
    }

    [Test]
    public void Replacing_the_head_keeps_the_backbone_features_and_gives_K_fresh_outputs()
    {
        using var scope = NewDisposeScope();
        using var trained = TrainedImageNetResNet();
        var path = Path.Combine(_folder, "resnet18.dat");
        trained.save(path);
        var x = randn(3, 3, 32, 32);
        using var trainedFeatures = new LayerTap(trained, "avgpool");
        trained.call(x);
        var expected = trainedFeatures.TakeActivation();

        using var model = PretrainedBackbone.Create(k => torchvision.models.resnet18(num_classes: k), 7, path, "fc");
        model.eval();
        using var features = new LayerTap(model, "avgpool");
        var logits = model.call(x);
        Assert.That(logits.shape, Is.EqualTo(new long[] { 3, 7 }));
        AssertClose(features.TakeActivation(), expected, 0, 0, "backbone features (avgpool) after the head swap");
        var head = model.state_dict()["fc.weight"];
        Assert.That(head.shape, Is.EqualTo(new long[] { 7, 512 }));
        var trainedHead = trained.state_dict()["fc.weight"];
        Assert.That(Scalar((head - trainedHead.narrow(0, 0, 7)).abs().max()), Is.GreaterThan(1e-3),
            "the new head is freshly initialised, not the first rows of ImageNet's");
    }

    [Test]
    public void Without_weights_the_model_is_created_from_scratch()
    {
        using var model = PretrainedBackbone.Create(k => torchvision.models.resnet18(num_classes: k), 5, null, "fc");
        Assert.That(model.state_dict()["fc.weight"].shape, Is.EqualTo(new long[] { 5, 512 }));
    }

    [Test]
    public void A_file_with_another_head_is_refused_naming_the_file_the_entry_and_both_shapes()
    {
        using var tenClasses = torchvision.models.resnet18(num_classes: 10);
        var path = Path.Combine(_folder, "ten-classes.dat");
        tenClasses.save(path);
        var error = Assert.Throws<ArgumentException>(() =>
            PretrainedBackbone.Create(k => torchvision.models.resnet18(num_classes: k), 7, path, "fc"));
        Assert.That(error!.Message, Does.Contain(path).And.Contain("'fc.weight'").And.Contain("[10, 512]")
            .And.Contain("[1000, 512]"));
    }

    [Test]
    public void A_file_of_another_architecture_is_refused_naming_its_first_foreign_entry()
    {
        using var other = nn.Sequential(("stem", nn.Linear(4, 2)));
        var path = Path.Combine(_folder, "other.dat");
        other.save(path);
        using var model = torchvision.models.resnet18();
        var error = Assert.Throws<ArgumentException>(() => PretrainedBackbone.Load(model, path));
        Assert.That(error!.Message, Does.Contain(path).And.Contain("'stem.weight'").And.Contain("[2, 4]"));
    }

    [Test]
    public void A_file_that_is_no_state_dict_is_refused_by_name()
    {
        var path = Path.Combine(_folder, "noise.dat");
        File.WriteAllBytes(path, [3, 200, 1, 2, 3]);
        using var model = torchvision.models.resnet18();
        var error = Assert.Throws<ArgumentException>(() => PretrainedBackbone.Load(model, path));
        Assert.That(error!.Message, Does.Contain(path).And.Contain("not a TorchSharp state dict"));
        Assert.Throws<FileNotFoundException>(() => PretrainedBackbone.Load(model, Path.Combine(_folder, "none.dat")));
    }

    // An ImageNet-shaped ResNet-18 whose BatchNorm running statistics moved away from their defaults (buffers must
    // travel too), in eval mode.
    private static TorchSharp.Modules.ResNet TrainedImageNetResNet()
    {
        var model = torchvision.models.resnet18();
        model.train();
        using (no_grad())
        {
            model.call(randn(4, 3, 32, 32) * 2 + 1).Dispose();
        }

        model.eval();
        return model;
    }
}
