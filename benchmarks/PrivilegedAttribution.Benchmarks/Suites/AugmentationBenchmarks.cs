using BenchmarkDotNet.Attributes;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Benchmarks.Suites;

/// <summary>
/// <see cref="LandmarkAugmentation.Apply"/> on a batch of 64 float32 RGB faces at 112×112 with 68 landmarks and
/// a mask prior: the geometry alone (crop, rotation, translation, flip as one warp) and the full facial-expression
/// recipe (plus colour jitter and random erasing). Compare with a ResNet-18 PAL step at <c>layer3</c>
/// (<see cref="ResNetStepBenchmarks"/>) measured in the same run.
/// </summary>
public class AugmentationBenchmarks
{
    private const int Batch = 64;
    private const int ImageSize = 112;
    private Tensor? _images;
    private Tensor? _landmarks;
    private Tensor? _mask;
    private Generator? _generator;
    private LandmarkAugmentation? _augmentation;

    /// <summary>Geometry only, or the whole recipe.</summary>
    [Params("Geometry", "FacialExpression")]
    public string Recipe { get; set; } = "Geometry";

    /// <summary>Random images, landmarks in the central 80 % and a mask; the augmentation of <see cref="Recipe"/>.
    /// </summary>
    [GlobalSetup]
    public void Setup()
    {
        manual_seed(3);
        _images = rand(Batch, 3, ImageSize, ImageSize);
        _landmarks = rand(Batch, 68, 2) * (0.8 * ImageSize) + 0.1 * ImageSize;
        _mask = rand(Batch, 1, ImageSize, ImageSize);
        _generator = new Generator(5);
        var options = LandmarkAugmentationOptions.FacialExpression;
        if (Recipe == "Geometry")
        {
            options = options with { ColorJitter = null, Erasing = null };
        }

        _augmentation = new LandmarkAugmentation(options);
    }

    /// <summary>Frees the tensors and the generator.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _images?.Dispose();
        _landmarks?.Dispose();
        _mask?.Dispose();
        _generator?.Dispose();
    }

    /// <summary>One augmentation of the batch.</summary>
    [Benchmark]
    public void Augment()
    {
        using var scope = NewDisposeScope();
        _augmentation!.Apply(_images!, _landmarks!, mask: _mask, generator: _generator);
    }
}
