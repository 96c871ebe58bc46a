using TorchSharp;
using static TorchSharp.torch;
using static PrivilegedAttribution.Tests.Numerics;

namespace PrivilegedAttribution.Tests;

/// <summary>TorchVision.NET runs forward inside its own dispose scopes, Sequential disposes each child's output,
/// and every ReLU is in place: the taps must survive all three.</summary>
public sealed class TorchVisionIntegrationTests
{
    [TestCase("layer1", 16)]
    [TestCase("layer3", 4)]
    [TestCase("layer4.1", 2)]
    [TestCase("layer3.0.bn2", 4)] // followed by the block's in-place += and ReLU
    public void ResNet18_taps_survive_internal_scopes_and_in_place_ops(string layer, long size)
    {
        using var scope = NewDisposeScope();
        using var model = torchvision.models.resnet18(num_classes: 7);
        model.eval();
        using var tap = new LayerTap(model, layer);
        using var attribution = new AttributionMap(model, layer);
        var x = randn(2, 3, 64, 64);
        var logits = model.call(x);
        var a = tap.TakeActivation();
        Assert.That(a.IsInvalid, Is.False);
        Assert.That(a.shape[2..], Is.EqualTo(new[] { size, size }));
        var map = attribution.call(logits, tensor(new long[] { 1, 5 }));
        Assert.That(map.shape, Is.EqualTo(a.shape));
        Assert.That(Values(map), Is.All.Matches<double>(double.IsFinite));
        // The clone handed downstream keeps the model's output unchanged.
        using var plain = NewDisposeScope();
        tap.Dispose();
        attribution.Dispose();
        AssertClose(model.call(x), logits, 1e-6, 1e-6, "logits with and without taps");
    }

    [Test]
    public void ResNet18_bn_tap_sees_the_value_before_the_residual_add()
    {
        using var scope = NewDisposeScope();
        using var model = torchvision.models.resnet18(num_classes: 3);
        model.eval();
        using var bn = new LayerTap(model, "layer2.0.bn2");
        using var block = new LayerTap(model, "layer2.0");
        model.call(randn(1, 3, 32, 32));
        var (bnOut, blockOut) = (bn.TakeActivation(), block.TakeActivation());
        // The block output is ReLU(bn2 + shortcut): it differs from bn2's output, which must not have been
        // overwritten by the in-place add and ReLU.
        Assert.That(Scalar((bnOut - blockOut).abs().max()), Is.GreaterThan(1e-3));
        Assert.That(Scalar(bnOut.min()), Is.LessThan(0), "bn2's own output has negative values");
    }

    [Test]
    public void Vgg11Bn_tap_at_a_features_relu_gives_the_attribution()
    {
        using var scope = NewDisposeScope();
        using var model = torchvision.models.vgg11_bn(num_classes: 4);
        model.eval();
        using var attribution = new AttributionMap(model, "features.20");
        var map = attribution.call(model.call(randn(2, 3, 32, 32)), tensor(new long[] { 0, 3 }));
        Assert.That(map.shape, Is.EqualTo(new long[] { 2, 512, 4, 4 }));
        Assert.That(map.requires_grad, Is.True);
        Assert.That(Values(map), Is.All.Matches<double>(double.IsFinite));
    }
}
