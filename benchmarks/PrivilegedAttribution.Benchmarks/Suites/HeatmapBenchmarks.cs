using BenchmarkDotNet.Attributes;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Benchmarks.Suites;

/// <summary>
/// <see cref="PalFunctional.landmark_heatmap"/>: B faces × 68 landmarks given in 112×112 input pixels, rendered
/// directly at several output sizes (a tapped layer's size), summing or taking the maximum of the Gaussians.
/// </summary>
public class HeatmapBenchmarks
{
    private const int ImageSize = 112;
    private Tensor? _landmarks;

    /// <summary>Faces per batch.</summary>
    [ParamsSource(nameof(Batches))]
    public int Batch { get; set; }

    /// <summary>Output height and width.</summary>
    [ParamsSource(nameof(Sizes))]
    public int Size { get; set; }

    /// <summary>Sum (default) or Max.</summary>
    [Params(HeatmapCombine.Sum, HeatmapCombine.Max)]
    public HeatmapCombine Combine { get; set; }

    /// <summary>Batch sizes of the current profile.</summary>
    public static IEnumerable<int> Batches => BenchmarkProfile.Current.HeatmapBatches;

    /// <summary>Output sizes of the current profile.</summary>
    public static IEnumerable<int> Sizes => BenchmarkProfile.Current.HeatmapSizes;

    /// <summary>Random landmarks inside the image.</summary>
    [GlobalSetup]
    public void Setup()
    {
        manual_seed(2);
        _landmarks = rand(Batch, 68, 2) * (ImageSize - 1);
    }

    /// <summary>Frees the landmarks.</summary>
    [GlobalCleanup]
    public void Cleanup() => _landmarks?.Dispose();

    /// <summary>One rendering.</summary>
    [Benchmark]
    public void Render()
    {
        using var scope = NewDisposeScope();
        PalFunctional.landmark_heatmap(_landmarks!, ImageSize, ImageSize, Size, Size, ImageSize / 20.0,
            combine: Combine);
    }
}
