using TorchSharp;
using static TorchSharp.torch;

namespace PrivilegedAttribution.PretrainedWeightsTests;

/// <summary>The models the files are loaded into: TorchVision.NET's, by torchvision's function names, and a
/// Sequential with the layers and names of write_weights.py's tiny model.</summary>
internal static class TestModels
{
    public static nn.Module<Tensor, Tensor> TorchVision(string arch, int classes = 1000) => arch switch
    {
        "resnet18" => torchvision.models.resnet18(num_classes: classes),
        "resnet34" => torchvision.models.resnet34(num_classes: classes),
        "resnet50" => torchvision.models.resnet50(num_classes: classes),
        "vgg11" => torchvision.models.vgg11(num_classes: classes),
        "vgg11_bn" => torchvision.models.vgg11_bn(num_classes: classes),
        "vgg16" => torchvision.models.vgg16(num_classes: classes),
        "vgg16_bn" => torchvision.models.vgg16_bn(num_classes: classes),
        _ => throw new ArgumentOutOfRangeException(nameof(arch), arch, "not a model of these tests"),
    };

    /// <summary>0 conv 3→4 (3×3), 1 batch norm, 2 ReLU, 3 flatten, 4 linear 144→5: input (B, 3, 8, 8).</summary>
    public static nn.Module<Tensor, Tensor> Tiny() => nn.Sequential(
        ("0", nn.Conv2d(3, 4, 3)), ("1", nn.BatchNorm2d(4)), ("2", nn.ReLU()), ("3", nn.Flatten()),
        ("4", nn.Linear(4 * 6 * 6, 5)));

    /// <summary>The model's outputs for <paramref name="input"/> in eval mode, without a graph.</summary>
    public static Tensor Logits(nn.Module<Tensor, Tensor> model, Tensor input)
    {
        model.eval();
        using var noGrad = no_grad();
        return model.call(input);
    }

    /// <summary>max |a − b| as a double.</summary>
    public static double MaxDifference(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return (a.to(ScalarType.Float64) - b.to(ScalarType.Float64)).abs().max().item<double>();
    }

    /// <summary>Same shape, dtype and values (torch.equal).</summary>
    public static bool Identical(Tensor a, Tensor b) => a.dtype == b.dtype && a.Equals(b);

    /// <summary>Whether every state dict entry of <paramref name="model"/> still equals its
    /// <see cref="Snapshot"/>.</summary>
    public static bool Unchanged(nn.Module model, Dictionary<string, Tensor> snapshot) =>
        model.state_dict().All(e => Identical(e.Value.cpu(), snapshot[e.Key]));

    /// <summary>The model's state dict entries by name, detached copies on the CPU.</summary>
    public static Dictionary<string, Tensor> Snapshot(nn.Module model) =>
        model.state_dict().ToDictionary(e => e.Key, e => e.Value.detach().cpu().clone());
}
