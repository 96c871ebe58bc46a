using PrivilegedAttribution;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>The sample's architectures, from scratch or fine-tuned from pretrained weights.</summary>
internal static class Models
{
    /// <summary>resnet18 or vgg11_bn for <paramref name="classes"/> classes. With <paramref name="weights"/> (a
    /// torchvision state dict of the architecture, <c>.pth</c> or safetensors, such as ImageNet's), every entry but
    /// the head (<c>fc</c>, <c>classifier.6</c>) is loaded from the file, each name and shape checked; the head is
    /// loaded too when it has the dataset's classes (a facial-expression model trained before), and otherwise
    /// (ImageNet's 1000 classes) starts fresh.</summary>
    public static nn.Module<Tensor, Tensor> Create(string architecture, int classes, string? weights)
    {
        var (model, head) = architecture switch
        {
            "resnet18" => (torchvision.models.resnet18(num_classes: classes), PretrainedWeights.ResNetHead),
            "vgg11_bn" => ((nn.Module<Tensor, Tensor>)torchvision.models.vgg11_bn(num_classes: classes),
                PretrainedWeights.VggHead),
            _ => throw new ArgumentException($"Unknown --arch '{architecture}': use resnet18 or vgg11_bn."),
        };
        if (weights is not null)
        {
            Console.WriteLine(PretrainedWeights.Load(model, weights, head));
        }

        return model;
    }
}
