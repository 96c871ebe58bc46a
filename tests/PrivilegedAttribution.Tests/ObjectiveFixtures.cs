using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using static PrivilegedAttribution.Tests.Numerics;

namespace PrivilegedAttribution.Tests;

/// <summary>Models, batches and comparisons that several fixtures of objectives share: ResNet's tail in miniature,
/// a seeded float64 ResNet-18 with a face-sized batch, and the objective's total with every gradient.</summary>
internal static class ObjectiveFixtures
{
    /// <summary>stem (conv → BN → in-place ReLU) → block (conv → BN → in-place ReLU, tapped) → global average pool
    /// → flatten → linear: ResNet's tail in miniature, on 1×8×8 inputs.</summary>
    internal static Sequential PooledCnn(ScalarType dtype = ScalarType.Float64)
    {
        manual_seed(7);
        return Sequential(
            ("stem", Sequential(Conv2d(1, 4, 3, padding: 1, dtype: dtype), BatchNorm2d(4, dtype: dtype), ReLU(true))),
            ("block", Sequential(Conv2d(4, 5, 3, padding: 1, dtype: dtype), BatchNorm2d(5, dtype: dtype),
                ReLU(true))),
            ("gap", AdaptiveAvgPool2d(1)),
            ("flat", Flatten()),
            ("fc", Linear(5, 3, dtype: dtype)));
    }

    internal static TorchSharp.Modules.ResNet ResNet18()
    {
        manual_seed(11);
        var model = torchvision.models.resnet18(num_classes: 7);
        model.to(ScalarType.Float64).train();
        return model;
    }

    internal static (Tensor X, Tensor Labels, Tensor Landmarks) FaceBatch()
    {
        manual_seed(5);
        return (randn(2, 3, 48, 48, ScalarType.Float64), tensor(new long[] { 3, 6 }),
            rand(2, 68, 2, ScalarType.Float64) * 48);
    }

    /// <summary>The objective's total and its gradient with respect to every parameter of the model.</summary>
    internal static (double Total, Tensor[] Gradients) TotalAndGradients(Module<Tensor, Tensor> model,
        PalLayer[] layers, IHeatmapPrior prior, Tensor x, Tensor labels, Tensor landmarks,
        AttributionMethod method = AttributionMethod.GradientXActivation,
        AttributionTarget target = AttributionTarget.TrueClass, bool cloneOutputs = true)
    {
        using var objective = new PalObjective(model, layers, prior, method, target, cloneOutputs);
        var total = objective.Compute(x, labels, landmarks).Total;
        var parameters = model.parameters().Cast<Tensor>().ToList();
        return (Scalar(total), autograd.grad([total], parameters, allow_unused: true).ToArray());
    }

    /// <summary>max |actual − expected| ≤ tolerance · max |expected| for each parameter's gradient, plus a floor of
    /// 1e-14 times the largest gradient of the model for parameters whose true gradient is 0 (a convolution's bias
    /// before BatchNorm), where both paths hold rounding noise.</summary>
    internal static void AssertSameGradients(Module model, Tensor[] actual, Tensor[] expected, double tolerance)
    {
        var names = model.named_parameters().Select(p => p.name).ToArray();
        Assert.That(actual, Has.Length.EqualTo(expected.Length));
        var overall = expected.Where(e => e is { IsInvalid: false } && e.Handle != IntPtr.Zero)
            .Max(e => Scalar(e.abs().max()));
        for (var i = 0; i < names.Length; i++)
        {
            var (a, e) = (actual[i], expected[i]);
            var aDefined = a is { IsInvalid: false } && a.Handle != IntPtr.Zero;
            var eDefined = e is { IsInvalid: false } && e.Handle != IntPtr.Zero;
            Assert.That(aDefined, Is.EqualTo(eDefined), $"{names[i]}: gradient defined");
            if (!aDefined)
            {
                continue;
            }

            var scale = Scalar(e.abs().max());
            var difference = Scalar((a - e).abs().max());
            Assert.That(difference, Is.LessThanOrEqualTo(tolerance * scale + 1e-14 * overall),
                $"{names[i]}: max |difference| {difference:E2} against max |gradient| {scale:E2}");
        }
    }
}
