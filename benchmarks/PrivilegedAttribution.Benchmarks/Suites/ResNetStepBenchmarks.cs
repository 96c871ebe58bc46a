using BenchmarkDotNet.Attributes;
using PrivilegedAttribution.Benchmarks.Workloads;

namespace PrivilegedAttribution.Benchmarks.Suites;

/// <summary>
/// Whole training steps of TorchVision's ResNet-18: the plain step, and PAL at each stage by the straightforward
/// functional path, by <see cref="PalObjective"/> with and without the tap's defensive copy, and in closed form at
/// <c>layer4</c> (global average pooling + <c>fc</c>).
/// </summary>
public class ResNetStepBenchmarks : TrainingStepBenchmarks
{
    /// <summary>The step and its layer.</summary>
    [ParamsSource(nameof(Cases))]
    public StepCase Case { get; set; } = new(TrainingStep.Plain, "layer3");

    /// <summary>Steps of the current profile.</summary>
    public static IEnumerable<StepCase> Cases => StepCase.For(BenchmarkProfile.Current.ResNetLayers,
        [TrainingStep.PalStraightforward, TrainingStep.PalObjective, TrainingStep.PalObjectiveNoClone], "layer4");

    /// <inheritdoc />
    protected override string Model => "resnet18";

    /// <inheritdoc />
    protected override StepCase StepToTime => Case;
}
