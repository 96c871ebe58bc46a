using static TorchSharp.torch;

namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>One split of the experiment as tensors in host memory: the images a model sees, and the privileged
/// information it may use only in training (the clean ink before the decoy was pasted).</summary>
/// <param name="Images">(N,1,28,28) images the model sees (decoyed or clean).</param>
/// <param name="Ink">(N,1,28,28) the same digits without decoy: the privileged information.</param>
/// <param name="PatchMask">(N,1,28,28) 1 on the decoy patch (the annotation of Ross et al.; all zero when clean).
/// </param>
/// <param name="Labels">(N) int64 classes.</param>
public sealed record DecoySplit(Tensor Images, Tensor Ink, Tensor PatchMask, Tensor Labels) : IDisposable
{
    /// <summary>Number of images.</summary>
    public long Count => Labels.shape[0];

    /// <summary>Builds the split from clean digits, pasting decoys of <paramref name="protocol"/> (none when null).
    /// </summary>
    public static DecoySplit Create(DigitImages clean, DecoyProtocol? protocol, DecoyPhase phase, int seed)
    {
        var all = Enumerable.Range(0, clean.Count).ToArray();
        var ink = clean.ImagesTensor(all);
        var labels = clean.LabelsTensor(all);
        if (protocol is null)
        {
            return new DecoySplit(ink.clone(), ink, zeros_like(ink), labels);
        }

        var (decoyed, masks) = protocol.Paste(clean, phase, seed);
        return new DecoySplit(decoyed.ImagesTensor(all), ink, tensor(masks, ink.shape), labels);
    }

    /// <summary>The digits of <paramref name="clean"/> with <paramref name="clutter"/>'s fragments of
    /// <paramref name="source"/>'s digits pasted on them; the ink stays the clean digit's. No decoy patch.</summary>
    public static DecoySplit Cluttered(DigitImages clean, Clutter clutter, DigitImages source, int seed)
    {
        var all = Enumerable.Range(0, clean.Count).ToArray();
        var ink = clean.ImagesTensor(all);
        return new DecoySplit(clutter.Paste(clean, source, seed).ImagesTensor(all), ink, zeros_like(ink),
            clean.LabelsTensor(all));
    }

    /// <summary>The rows <paramref name="index"/> of every tensor.</summary>
    public DecoyBatch Batch(Tensor index) => new(Images.index_select(0, index), Ink.index_select(0, index),
        PatchMask.index_select(0, index), Labels.index_select(0, index));

    /// <inheritdoc />
    public void Dispose()
    {
        Images.Dispose();
        Ink.Dispose();
        PatchMask.Dispose();
        Labels.Dispose();
    }
}

/// <summary>A mini-batch of a <see cref="DecoySplit"/>.</summary>
public sealed record DecoyBatch(Tensor Images, Tensor Ink, Tensor PatchMask, Tensor Labels);
