using BenchmarkDotNet.Attributes;
using PrivilegedAttribution.Benchmarks.Workloads;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Benchmarks.Suites;

/// <summary>
/// What landmark-aware augmentation adds to a training step: <see cref="LandmarkAugmentation.Apply"/> on a batch of
/// 64 float32 RGB faces at 112×112 with 68 landmarks and a mask prior — the geometry alone (crop, rotation,
/// translation, flip as one warp) and the full facial-expression recipe (plus colour jitter and random erasing) —
/// against the baseline of a ResNet-18 PAL training step at <c>layer3</c> on the same batch (the ratio driver's
/// workload: <see cref="PalObjective"/>, SGD with momentum), so that BenchmarkDotNet's ratio column is the
/// augmentation's share of a step, measured in one run.
/// </summary>
public class AugmentationBenchmarks
{
    private const int Batch = 64;
    private const int ImageSize = 112;
    private static readonly StepCase PalStep = new(TrainingStep.PalObjective, "layer3");
    private Tensor? _images;
    private Tensor? _landmarks;
    private Tensor? _mask;
    private Generator? _generator;
    private LandmarkAugmentation? _geometry;
    private LandmarkAugmentation? _facialExpression;
    private ClassifierWorkload? _workload;

    /// <summary>Random images, landmarks in the central 80 % and a mask; both augmentations; the ResNet-18
    /// workload, with one step run so that gradients and optimiser state exist.</summary>
    [GlobalSetup]
    public void Setup()
    {
        manual_seed(3);
        _images = rand(Batch, 3, ImageSize, ImageSize);
        _landmarks = rand(Batch, 68, 2) * (0.8 * ImageSize) + 0.1 * ImageSize;
        _mask = rand(Batch, 1, ImageSize, ImageSize);
        _generator = new Generator(5);
        var options = LandmarkAugmentationOptions.FacialExpression;
        _facialExpression = new LandmarkAugmentation(options);
        _geometry = new LandmarkAugmentation(options with { ColorJitter = null, Erasing = null });
        _workload = new ClassifierWorkload(new WorkloadOptions("resnet18", Batch, ImageSize));
        _workload.Prepare(PalStep);
        _workload.Run(PalStep);
    }

    /// <summary>Frees the tensors, the generator and the model.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _images?.Dispose();
        _landmarks?.Dispose();
        _mask?.Dispose();
        _generator?.Dispose();
        _workload?.Dispose();
    }

    /// <summary>The baseline: one ResNet-18 PAL training step at <c>layer3</c> on the batch.</summary>
    [Benchmark(Baseline = true)]
    public void PalStepAtLayer3() => _workload!.Run(PalStep);

    /// <summary>One augmentation of the batch: crop, rotation, translation and flip.</summary>
    [Benchmark]
    public void AugmentGeometry() => Augment(_geometry!);

    /// <summary>One augmentation of the batch with <see cref="LandmarkAugmentationOptions.FacialExpression"/>.
    /// </summary>
    [Benchmark]
    public void AugmentFacialExpression() => Augment(_facialExpression!);

    private void Augment(LandmarkAugmentation augmentation)
    {
        using var scope = NewDisposeScope();
        augmentation.Apply(_images!, _landmarks!, mask: _mask, generator: _generator);
    }
}
