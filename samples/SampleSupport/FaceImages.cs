using PrivilegedAttribution.Landmarks;
using PrivilegedAttribution.Landmarks.Datasets;
using PrivilegedAttribution.Landmarks.SkiaSharp;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Samples;

/// <summary>
/// The network's inputs: each face resampled once to size×size RGB (an aligned crop whole; otherwise a square
/// around its box, 1.25× its larger side) and its 68 landmarks carried by the same transform. Kept as bytes in
/// memory (3·size² bytes a face). <see cref="Prepare"/> makes them from a dataset.
/// </summary>
/// <param name="Size">Side of every image in pixels.</param>
/// <param name="Rgb">Each face's S·S·3 bytes, pixel by pixel.</param>
/// <param name="Landmarks">Each face's 68 (x, y) pairs in input pixels.</param>
/// <param name="Labels">Each face's class.</param>
/// <param name="ClassNames">Class names by label.</param>
public sealed record FaceImages(int Size, byte[][] Rgb, float[][] Landmarks, int[] Labels,
    IReadOnlyList<string> ClassNames)
{
    private static readonly float[] Mean = [0.485f, 0.456f, 0.406f];
    private static readonly float[] Std = [0.229f, 0.224f, 0.225f];

    /// <summary>Number of faces.</summary>
    public int Count => Labels.Length;

    /// <summary>Network inputs (normalised with ImageNet statistics, as <see cref="Batch"/> gives them) back to RGB
    /// in [0, 1], for drawing.</summary>
    public static Tensor Denormalise(Tensor images) =>
        (images * tensor(Std).view(1, 3, 1, 1) + tensor(Mean).view(1, 3, 1, 1)).clamp(0, 1);

    /// <summary>Resamples every record (in parallel). Images that cannot be decoded are reported with their
    /// record's file and line and left out.</summary>
    public static FaceImages Prepare(FaceDataset dataset, int size)
    {
        var records = dataset.Records;
        var rgb = new byte[records.Count][];
        var landmarks = new float[records.Count][];
        var failures = new string?[records.Count];
        Parallel.For(0, records.Count, i =>
        {
            try
            {
                (rgb[i], landmarks[i]) = Resample(records[i], size);
            }
            catch (Exception e) when (e is IOException or InvalidDataException)
            {
                failures[i] = $"{records[i].Location}: UnreadableImage: {e.Message}";
            }
        });
        foreach (var failure in failures.OfType<string>())
        {
            Console.WriteLine($"  skipped {failure}");
        }

        var kept = Enumerable.Range(0, records.Count).Where(i => failures[i] is null).ToArray();
        return new FaceImages(size, kept.Select(i => rgb[i]).ToArray(), kept.Select(i => landmarks[i]).ToArray(),
            kept.Select(i => records[i].Label).ToArray(), dataset.ClassNames);
    }

    /// <summary>A batch: images (B,3,S,S) normalised with ImageNet statistics, labels (B), landmarks (B,68,2);
    /// <paramref name="flip"/> mirrors some of them horizontally (landmarks too: the heatmap regions are
    /// left-right symmetric, so the point order needs no swap).</summary>
    public (Tensor Images, Tensor Labels, Tensor Landmarks) Batch(IReadOnlyList<int> indices, Random? flip = null)
    {
        var s = Size;
        var pixels = new float[indices.Count * 3 * s * s];
        var points = new float[indices.Count * 136];
        for (var b = 0; b < indices.Count; b++)
        {
            var source = Rgb[indices[b]];
            var mirrored = flip is not null && flip.Next(2) == 1;
            for (var c = 0; c < 3; c++)
            {
                var plane = (b * 3 + c) * s * s;
                for (var y = 0; y < s; y++)
                {
                    for (var x = 0; x < s; x++)
                    {
                        var sx = mirrored ? s - 1 - x : x;
                        pixels[plane + y * s + x] = (source[(y * s + sx) * 3 + c] / 255f - Mean[c]) / Std[c];
                    }
                }
            }

            var marks = Landmarks[indices[b]];
            for (var k = 0; k < 68; k++)
            {
                points[b * 136 + 2 * k] = mirrored ? s - 1 - marks[2 * k] : marks[2 * k];
                points[b * 136 + 2 * k + 1] = marks[2 * k + 1];
            }
        }

        return (tensor(pixels, [indices.Count, 3, s, s]),
            tensor(indices.Select(i => (long)Labels[i]).ToArray()),
            tensor(points, [indices.Count, 68, 2]));
    }

    private static (byte[] Rgb, float[] Landmarks) Resample(FaceRecord record, int size)
    {
        using var source = SkiaImages.DecodeRgba(record.ImagePath);
        var landmarks = record.Landmarks ?? throw new InvalidOperationException($"{record.Location}: no landmarks");
        // The square of the source that becomes the network's input (continuous coordinates, pixel i spans [i, i+1)).
        double left, top, side;
        if (record.Box is { } box)
        {
            side = 1.25 * Math.Max(box.Width, box.Height);
            left = box.Left + box.Width / 2.0 - side / 2;
            top = box.Top + box.Height / 2.0 - side / 2;
        }
        else
        {
            (left, top, side) = (0, 0, 0);
        }

        var scaleX = record.Box is null ? (double)size / source.Width : size / side;
        var scaleY = record.Box is null ? (double)size / source.Height : size / side;
        using var target = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        using (var canvas = new SKCanvas(target))
        {
            canvas.Clear(SKColors.Black);
            canvas.Scale((float)scaleX, (float)scaleY);
            canvas.Translate((float)-left, (float)-top);
            using var image = SKImage.FromBitmap(source);
            canvas.DrawImage(image, 0, 0, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        }

        var rgba = target.GetPixelSpan();
        var rgb = new byte[size * size * 3];
        for (var i = 0; i < size * size; i++)
        {
            rgb[3 * i] = rgba[4 * i];
            rgb[3 * i + 1] = rgba[4 * i + 1];
            rgb[3 * i + 2] = rgba[4 * i + 2];
        }

        // Landmarks use pixel centres at integers: shift by ½ into continuous coordinates and back.
        var moved = new float[136];
        for (var k = 0; k < 68; k++)
        {
            moved[2 * k] = (float)((landmarks[2 * k] + 0.5 - left) * scaleX - 0.5);
            moved[2 * k + 1] = (float)((landmarks[2 * k + 1] + 0.5 - top) * scaleY - 0.5);
        }

        return (rgb, moved);
    }
}
