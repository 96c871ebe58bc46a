using BenchmarkDotNet.Attributes;
using PrivilegedAttribution.Benchmarks.Workloads;

namespace PrivilegedAttribution.Benchmarks.Suites;

/// <summary>
/// Whole training steps of TorchVision's ResNet-18 (7 classes, training mode, SGD): the plain step, and PAL at each
/// stage by the straightforward functional path, by <see cref="PalObjective"/> with and without the tap's defensive
/// copy, and in closed form at <c>layer4</c> (global average pooling + <c>fc</c>).
/// </summary>
public class ResNetStepBenchmarks
{
    private ClassifierWorkload? _workload;

    /// <summary>Images per step.</summary>
    [ParamsSource(nameof(Batches))]
    public int Batch { get; set; }

    /// <summary>Input height and width.</summary>
    [ParamsSource(nameof(Sizes))]
    public int Size { get; set; }

    /// <summary>The step and its layer.</summary>
    [ParamsSource(nameof(Cases))]
    public StepCase Case { get; set; } = new(TrainingStep.Plain, "layer3");

    /// <summary>Batch sizes of the current profile.</summary>
    public static IEnumerable<int> Batches => BenchmarkProfile.Current.BatchSizes;

    /// <summary>Input sizes of the current profile.</summary>
    public static IEnumerable<int> Sizes => BenchmarkProfile.Current.InputSizes;

    /// <summary>Steps of the current profile.</summary>
    public static IEnumerable<StepCase> Cases => StepCase.For(BenchmarkProfile.Current.ResNetLayers,
        [TrainingStep.PalStraightforward, TrainingStep.PalObjective, TrainingStep.PalObjectiveNoClone], "layer4");

    /// <summary>Builds the model and batch, and runs one step so that gradients and optimiser state exist.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _workload = new ClassifierWorkload(new WorkloadOptions("resnet18", Batch, Size));
        _workload.Prepare(Case);
        _workload.Run(Case);
    }

    /// <summary>Frees the model.</summary>
    [GlobalCleanup]
    public void Cleanup() => _workload?.Dispose();

    /// <summary>One training step.</summary>
    [Benchmark]
    public void Step() => _workload!.Run(Case);
}
