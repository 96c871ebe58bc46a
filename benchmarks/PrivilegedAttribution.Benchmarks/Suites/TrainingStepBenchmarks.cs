using BenchmarkDotNet.Attributes;
using PrivilegedAttribution.Benchmarks.Workloads;

namespace PrivilegedAttribution.Benchmarks.Suites;

/// <summary>
/// Whole training steps of a TorchVision classifier (7 classes, training mode, SGD) for the batch and input sizes
/// of the current profile; a derived suite names the model and the steps (<see cref="StepCase"/>) to time.
/// </summary>
public abstract class TrainingStepBenchmarks
{
    private ClassifierWorkload? _workload;

    /// <summary>Images per step.</summary>
    [ParamsSource(typeof(TrainingStepBenchmarks), nameof(Batches))]
    public int Batch { get; set; }

    /// <summary>Input height and width.</summary>
    [ParamsSource(typeof(TrainingStepBenchmarks), nameof(Sizes))]
    public int Size { get; set; }

    /// <summary>Batch sizes of the current profile.</summary>
    public static IEnumerable<int> Batches => BenchmarkProfile.Current.BatchSizes;

    /// <summary>Input sizes of the current profile.</summary>
    public static IEnumerable<int> Sizes => BenchmarkProfile.Current.InputSizes;

    /// <summary>TorchVision's name of the model, e.g. "resnet18".</summary>
    protected abstract string Model { get; }

    /// <summary>The step to time (the derived suite's parameter).</summary>
    protected abstract StepCase StepToTime { get; }

    /// <summary>Builds the model and batch, and runs one step so that gradients and optimiser state exist.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _workload = new ClassifierWorkload(new WorkloadOptions(Model, Batch, Size));
        _workload.Prepare(StepToTime);
        _workload.Run(StepToTime);
    }

    /// <summary>Frees the model.</summary>
    [GlobalCleanup]
    public void Cleanup() => _workload?.Dispose();

    /// <summary>One training step.</summary>
    [Benchmark]
    public void Step() => _workload!.Run(StepToTime);
}
