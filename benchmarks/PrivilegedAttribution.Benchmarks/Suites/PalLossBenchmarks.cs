using BenchmarkDotNet.Attributes;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Benchmarks.Suites;

/// <summary>
/// <see cref="PalFunctional.pal_loss"/> forward and backward alone, per channel strategy and normalisation, on
/// attribution shapes of ResNet-18's stages (batch 16 at 112×112: layer1 64×28×28 … layer4 512×4×4).
/// </summary>
public class PalLossBenchmarks
{
    private Tensor? _attribution;
    private Tensor? _heatmap;
    private ChannelStrategy _strategy = ChannelStrategy.Mean;

    /// <summary>The attribution's shape, "BxCxHxW".</summary>
    [ParamsSource(nameof(Shapes))]
    public string Shape { get; set; } = "16x256x7x7";

    /// <summary>Mean, AllChannels or FirstFraction(0.5).</summary>
    [Params("Mean", "AllChannels", "FirstFraction(0.5)")]
    public string Strategy { get; set; } = "Mean";

    /// <summary>Pearson or CrossCorrelation.</summary>
    [Params(PalNormalization.Pearson, PalNormalization.CrossCorrelation)]
    public PalNormalization Normalization { get; set; }

    /// <summary>Shapes of the current profile.</summary>
    public static IEnumerable<string> Shapes =>
        BenchmarkProfile.Current.PalLossShapes.Select(s => $"{s.B}x{s.C}x{s.H}x{s.W}");

    /// <summary>Random attribution (a leaf that requires grad) and heatmap.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var dims = Shape.Split('x').Select(long.Parse).ToArray();
        manual_seed(1);
        _attribution = (randn(dims) * 1e-4).requires_grad_();
        _heatmap = rand(dims[0], 1, dims[2], dims[3]);
        _strategy = ChannelStrategy.Parse(Strategy);
    }

    /// <summary>Frees the tensors.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _attribution?.Dispose();
        _heatmap?.Dispose();
    }

    /// <summary>The loss and its gradient with respect to the attribution.</summary>
    [Benchmark]
    public void ForwardBackward()
    {
        using var scope = NewDisposeScope();
        var loss = PalFunctional.pal_loss(_attribution!, _heatmap!, _strategy, Normalization);
        autograd.grad([loss], [_attribution!]);
    }
}
