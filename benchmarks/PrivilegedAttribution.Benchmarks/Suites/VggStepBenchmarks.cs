using BenchmarkDotNet.Attributes;
using PrivilegedAttribution.Benchmarks.Workloads;

namespace PrivilegedAttribution.Benchmarks.Suites;

/// <summary>
/// Whole training steps of TorchVision's VGG-11-BN: the plain step and PAL through <see cref="PalObjective"/> at
/// ReLUs of several depths. VGG has no pooling + linear head (its classifier is a three-layer MLP with dropout), so
/// there is no closed form; the deeper the tap, the less is differentiated twice.
/// </summary>
public class VggStepBenchmarks : TrainingStepBenchmarks
{
    /// <summary>The step and its layer.</summary>
    [ParamsSource(nameof(Cases))]
    public StepCase Case { get; set; } = new(TrainingStep.Plain, "features.20");

    /// <summary>Steps of the current profile.</summary>
    public static IEnumerable<StepCase> Cases =>
        StepCase.For(BenchmarkProfile.Current.VggLayers, [TrainingStep.PalObjective]);

    /// <inheritdoc />
    protected override string Model => "vgg11_bn";

    /// <inheritdoc />
    protected override StepCase StepToTime => Case;
}
