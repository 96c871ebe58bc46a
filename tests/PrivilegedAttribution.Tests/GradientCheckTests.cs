using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static PrivilegedAttribution.Tests.Numerics;

namespace PrivilegedAttribution.Tests;

/// <summary>
/// float64 central differences of CE + λ·PAL through the whole second-order graph: every parameter of a small
/// CNN, sampled parameters of TorchVision's ResNet-18 (at layer3) and VGG-11-BN (at features.20), for every channel
/// strategy and both normalisations.
/// </summary>
public sealed class GradientCheckTests
{
    private const double Lambda = 0.7;
    private const double RelativeTolerance = 1e-5;
    private static double _worst;

    private static IEnumerable<TestCaseData> Configurations()
    {
        foreach (var strategy in new[] { ChannelStrategy.Mean, ChannelStrategy.AllChannels,
                     ChannelStrategy.FirstFraction(0.5) })
        {
            foreach (var normalization in Enum.GetValues<PalNormalization>())
            {
                yield return new TestCaseData(strategy, normalization);
            }
        }
    }

    [OneTimeTearDown]
    public void ReportWorst() => TestContext.Progress.WriteLine(
        $"GradientCheckTests: worst relative error of analytic vs central-difference gradients = {_worst:E2}");

    [TestCaseSource(nameof(Configurations))]
    public void Small_cnn_every_parameter(ChannelStrategy strategy, PalNormalization normalization)
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.SmallCnn();
        model.train(); // BatchNorm with batch statistics: the samples are coupled, as in real training
        var x = randn(3, 1, 8, 8, ScalarType.Float64);
        var labels = tensor(new long[] { 0, 2, 1 });
        var landmarks = rand(3, 4, 2, ScalarType.Float64) * 8;
        using var prior = new HeatmapPrior(8, 8, 1.5);
        Check(model, "conv3", strategy, normalization, x, labels, landmarks, prior,
            model.named_parameters().Select(p => p.name).ToArray(), elementsPerParameter: 1000);
    }

    [TestCaseSource(nameof(Configurations))]
    public void ResNet18_at_layer3_sampled_parameters(ChannelStrategy strategy, PalNormalization normalization)
    {
        using var scope = NewDisposeScope();
        using var model = torchvision.models.resnet18(num_classes: 7);
        model.to(ScalarType.Float64).train();
        var x = randn(2, 3, 48, 48, ScalarType.Float64);
        var labels = tensor(new long[] { 3, 6 });
        var landmarks = rand(2, 68, 2, ScalarType.Float64) * 48;
        using var prior = new HeatmapPrior(48, 48, 4);
        Check(model, "layer3", strategy, normalization, x, labels, landmarks, prior,
            ["conv1.weight", "layer1.0.conv1.weight", "layer2.1.bn2.weight", "layer3.0.downsample.0.weight",
                "layer3.1.conv2.weight", "layer4.0.conv1.weight", "layer4.1.bn2.bias", "fc.weight", "fc.bias"],
            elementsPerParameter: 2);
    }

    [TestCaseSource(nameof(Configurations))]
    public void Vgg11Bn_at_features20_sampled_parameters(ChannelStrategy strategy, PalNormalization normalization)
    {
        using var scope = NewDisposeScope();
        var model = Vgg.Value;
        var x = randn(2, 3, 32, 32, ScalarType.Float64);
        var labels = tensor(new long[] { 1, 4 });
        var landmarks = rand(2, 68, 2, ScalarType.Float64) * 32;
        using var prior = new HeatmapPrior(32, 32, 3);
        Check(model, "features.20", strategy, normalization, x, labels, landmarks, prior,
            ["features.0.weight", "features.5.weight", "features.15.weight", "features.19.bias",
                "features.22.weight", "classifier.0.weight", "classifier.6.weight", "classifier.6.bias"],
            elementsPerParameter: 2);
    }

    // VGG's 25088×4096 classifier makes the model slow to build: build it once. Evaluation mode turns dropout off,
    // which finite differences need (BatchNorm then uses its running statistics).
    private static readonly Lazy<VGG> Vgg = new(() =>
    {
        var model = torchvision.models.vgg11_bn(num_classes: 5);
        model.to(ScalarType.Float64).eval();
        return model;
    });

    private static void Check(nn.Module<Tensor, Tensor> model, string layer, ChannelStrategy strategy,
        PalNormalization normalization, Tensor x, Tensor labels, Tensor landmarks, HeatmapPrior prior,
        string[] parameterNames, int elementsPerParameter)
    {
        using var objective = new PalObjective(model, [new PalLayer(layer, Lambda, strategy, normalization)], prior);
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var chosen = parameterNames.Select(n => parameters[n]).ToArray();
        double Total()
        {
            using var inner = NewDisposeScope();
            return Scalar(objective.Compute(x, labels, landmarks).Total);
        }

        var total = objective.Compute(x, labels, landmarks).Total;
        var analytic = autograd.grad([total], chosen.Cast<Tensor>().ToList());
        var allAnalytic = new List<double>();
        var allNumeric = new List<double>();
        for (var i = 0; i < chosen.Length; i++)
        {
            var elements = Sample(chosen[i].numel(), elementsPerParameter, seed: i);
            var numeric = CentralDifferences(Total, chosen[i], elements);
            var flat = Values(analytic[i]);
            var picked = elements.Select(e => flat[e]).ToArray();
            allAnalytic.AddRange(picked);
            allNumeric.AddRange(numeric);
            // Elementwise: an absolute floor relative to the gradient's overall scale covers entries near zero.
            AssertClose(picked, numeric, 1e-4, 1e-6 * (1 + flat.Max(Math.Abs)), $"d total / d {parameterNames[i]}");
        }

        var error = RelativeError(allAnalytic.ToArray(), allNumeric.ToArray());
        _worst = Math.Max(_worst, error);
        TestContext.Out.WriteLine($"{layer} {strategy} {normalization}: {allAnalytic.Count} elements, " +
                                  $"relative error {error:E2}");
        Assert.That(error, Is.LessThan(RelativeTolerance));
    }
}
