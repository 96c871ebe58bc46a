using BenchmarkDotNet.Attributes;
using PrivilegedAttribution.Benchmarks.Workloads;

namespace PrivilegedAttribution.Benchmarks.Suites;

/// <summary>
/// Whole training steps of TorchVision's VGG-11-BN (7 classes, training mode, SGD): the plain step and PAL through
/// <see cref="PalObjective"/> at ReLUs of several depths. VGG has no pooling + linear head (its classifier is a
/// three-layer MLP with dropout), so there is no closed form; the deeper the tap, the less is differentiated twice.
/// </summary>
public class VggStepBenchmarks
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
    public StepCase Case { get; set; } = new(TrainingStep.Plain, "features.20");

    /// <summary>Batch sizes of the current profile.</summary>
    public static IEnumerable<int> Batches => BenchmarkProfile.Current.BatchSizes;

    /// <summary>Input sizes of the current profile.</summary>
    public static IEnumerable<int> Sizes => BenchmarkProfile.Current.InputSizes;

    /// <summary>Steps of the current profile.</summary>
    public static IEnumerable<StepCase> Cases =>
        StepCase.For(BenchmarkProfile.Current.VggLayers, [TrainingStep.PalObjective]);

    /// <summary>Builds the model and batch, and runs one step so that gradients and optimiser state exist.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _workload = new ClassifierWorkload(new WorkloadOptions("vgg11_bn", Batch, Size));
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
