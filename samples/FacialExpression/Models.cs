using TorchSharp;
using static TorchSharp.torch;

/// <summary>The sample's architectures, from scratch or fine-tuned from ImageNet weights.</summary>
internal static class Models
{
    /// <summary>resnet18 or vgg11_bn for <paramref name="classes"/> classes. With <paramref name="weights"/> (a
    /// TorchSharp state dict of the architecture with ImageNet's 1000-class head, e.g. torchvision's exported with
    /// TorchSharp's exportsd.py), everything but the head (<c>fc</c>, <c>classifier.6</c>) starts from it; the
    /// head starts fresh.</summary>
    public static nn.Module<Tensor, Tensor> Create(string architecture, int classes, string? weights)
    {
        Func<int, nn.Module<Tensor, Tensor>> create = architecture switch
        {
            "resnet18" => k => torchvision.models.resnet18(num_classes: k),
            "vgg11_bn" => k => torchvision.models.vgg11_bn(num_classes: k),
            _ => throw new ArgumentException($"Unknown --arch '{architecture}': use resnet18 or vgg11_bn."),
        };
        var model = create(classes);
        if (weights is null)
        {
            return model;
        }

        var head = architecture == "resnet18" ? "fc." : "classifier.6.";
        using var imageNet = create(1000);
        imageNet.load(weights);                             // strict: every name and shape must match
        using var noGrad = no_grad();
        var source = imageNet.state_dict();
        foreach (var (name, parameter) in model.state_dict().Where(entry => !entry.Key.StartsWith(head)))
        {
            parameter.copy_(source[name]);
        }

        return model;
    }
}
