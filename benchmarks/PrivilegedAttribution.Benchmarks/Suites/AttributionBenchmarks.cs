using BenchmarkDotNet.Attributes;
using PrivilegedAttribution.Benchmarks.Workloads;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Benchmarks.Suites;

/// <summary>
/// The attribution alone on ResNet-18 (training mode): the forward pass, and the forward pass followed by G ⊙ A with
/// G computed with its graph (create_graph), no loss and no backward. The difference is the first of PAL's two extra
/// passes; it grows with the part of the network after the tap.
/// </summary>
public class AttributionBenchmarks
{
    private ClassifierWorkload? _workload;

    /// <summary>Images per step.</summary>
    [ParamsSource(nameof(Batches))]
    public int Batch { get; set; }

    /// <summary>Input height and width.</summary>
    [ParamsSource(nameof(Sizes))]
    public int Size { get; set; }

    /// <summary>The tapped layer.</summary>
    [ParamsSource(nameof(Layers))]
    public string Layer { get; set; } = "layer3";

    /// <summary>Batch sizes of the current profile.</summary>
    public static IEnumerable<int> Batches => BenchmarkProfile.Current.BatchSizes;

    /// <summary>Input sizes of the current profile.</summary>
    public static IEnumerable<int> Sizes => BenchmarkProfile.Current.InputSizes;

    /// <summary>ResNet-18 layers of the current profile.</summary>
    public static IEnumerable<string> Layers => BenchmarkProfile.Current.ResNetLayers;

    /// <summary>Builds the model and batch.</summary>
    [GlobalSetup]
    public void Setup() => _workload = new ClassifierWorkload(new WorkloadOptions("resnet18", Batch, Size));

    /// <summary>Frees the model.</summary>
    [GlobalCleanup]
    public void Cleanup() => _workload?.Dispose();

    /// <summary>The forward pass with gradients enabled (its graph is built, then freed).</summary>
    [Benchmark(Baseline = true)]
    public void Forward()
    {
        using var scope = NewDisposeScope();
        _workload!.Prepare(new StepCase(TrainingStep.Plain, Layer));
        _workload.Model.call(_workload.Images);
    }

    /// <summary>The forward pass and the attribution with its graph.</summary>
    [Benchmark]
    public void ForwardAndAttribution()
    {
        using var scope = NewDisposeScope();
        _workload!.Attribution(Layer);
    }
}
