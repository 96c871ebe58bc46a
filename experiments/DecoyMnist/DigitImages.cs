using TorchSharp;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>Labelled single-channel images held in host memory, values in [0, 1], row-major (N,H,W).</summary>
public sealed class DigitImages
{
    /// <summary>Wraps the arrays (not copied).</summary>
    public DigitImages(float[] pixels, int[] labels, int height, int width, int classes = 10)
    {
        if (pixels.Length != (long)labels.Length * height * width)
        {
            throw new ArgumentException(
                $"{nameof(pixels)} holds {pixels.Length} values; {labels.Length} images of {height}×{width} need " +
                $"{(long)labels.Length * height * width}.", nameof(pixels));
        }

        (Pixels, Labels, Height, Width, Classes) = (pixels, labels, height, width, classes);
    }

    /// <summary>(N,H,W) values in [0, 1].</summary>
    public float[] Pixels { get; }

    /// <summary>Class of each image.</summary>
    public int[] Labels { get; }

    /// <summary>Image height.</summary>
    public int Height { get; }

    /// <summary>Image width.</summary>
    public int Width { get; }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>Number of images.</summary>
    public int Count => Labels.Length;

    /// <summary>The pixels of image <paramref name="index"/>.</summary>
    public Span<float> Image(int index) => Pixels.AsSpan(index * Height * Width, Height * Width);

    /// <summary>A copy holding the images at <paramref name="indices"/>, in that order.</summary>
    public DigitImages Subset(IReadOnlyList<int> indices)
    {
        var size = Height * Width;
        var pixels = new float[indices.Count * size];
        var labels = new int[indices.Count];
        for (var i = 0; i < indices.Count; i++)
        {
            Image(indices[i]).CopyTo(pixels.AsSpan(i * size, size));
            labels[i] = Labels[indices[i]];
        }

        return new DigitImages(pixels, labels, Height, Width, Classes);
    }

    /// <summary>A deep copy (for pasting decoys without touching the clean images).</summary>
    public DigitImages Copy() =>
        new((float[])Pixels.Clone(), (int[])Labels.Clone(), Height, Width, Classes);

    /// <summary>(B,1,H,W) float32 images of <paramref name="indices"/>, on <paramref name="device"/>.</summary>
    public Tensor ImagesTensor(IReadOnlyList<int> indices, Device? device = null)
    {
        var size = Height * Width;
        var batch = new float[indices.Count * size];
        for (var i = 0; i < indices.Count; i++)
        {
            Image(indices[i]).CopyTo(batch.AsSpan(i * size, size));
        }

        using var host = tensor(batch, [indices.Count, 1, Height, Width]);
        return device is null ? host.clone() : host.to(device);
    }

    /// <summary>(B) int64 labels of <paramref name="indices"/>, on <paramref name="device"/>.</summary>
    public Tensor LabelsTensor(IReadOnlyList<int> indices, Device? device = null)
    {
        using var host = tensor(indices.Select(i => (long)Labels[i]).ToArray());
        return device is null ? host.clone() : host.to(device);
    }
}
