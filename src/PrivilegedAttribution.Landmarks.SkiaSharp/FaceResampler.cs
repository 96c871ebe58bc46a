using PrivilegedAttribution.Landmarks.Datasets;
using SkiaSharp;

namespace PrivilegedAttribution.Landmarks.SkiaSharp;

/// <summary>
/// Turns face images into a network's square inputs: each face is resampled once (bilinear with mipmaps, so that
/// large photos are not aliased) from its <see cref="FaceCrop"/> to S×S RGB, and its landmarks are carried by the
/// same transform. Parts of a crop outside the image are black.
/// </summary>
/// <example><code>
/// var faces = FaceResampler.ResampleAll(dataset, 112);   // dataset: landmarks completed (LandmarkCache)
/// var input = torch.tensor(faces.Faces[0].ToChannelsFirst(), [1, 3, 112, 112]);
/// </code></example>
public static class FaceResampler
{
    /// <summary>Resamples <paramref name="crop"/> of <paramref name="source"/> to <paramref name="size"/>² RGB and
    /// maps <paramref name="landmarks"/> ((x, y) pairs in source pixels) with it.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="landmarks"/> holds an odd number of values.</exception>
    public static ResampledFace Resample(SKBitmap source, FaceCrop crop, int size, ReadOnlySpan<float> landmarks)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        var moved = crop.MapLandmarks(landmarks, size, size);
        using var target = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        using (var canvas = new SKCanvas(target))
        {
            canvas.Clear(SKColors.Black);
            canvas.Scale((float)(size / crop.Width), (float)(size / crop.Height));
            canvas.Translate((float)-crop.Left, (float)-crop.Top);
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

        return new ResampledFace(size, rgb, moved);
    }

    /// <summary>Decodes the record's image and resamples <see cref="FaceCrop.For"/> it (its box, else the whole
    /// image) with its landmarks.</summary>
    /// <exception cref="ArgumentException">The record has no landmarks (complete them first with
    /// <see cref="LandmarkCache.Complete"/>).</exception>
    /// <exception cref="FileNotFoundException">The image does not exist.</exception>
    /// <exception cref="InvalidDataException">The image cannot be decoded (see <see cref="SkiaImages.DecodeRgba"/>).
    /// </exception>
    public static ResampledFace Resample(FaceRecord record, int size)
    {
        ArgumentNullException.ThrowIfNull(record);
        var landmarks = record.Landmarks ?? throw new ArgumentException(
            $"{record.Location}: the record has no landmarks; complete them first (LandmarkCache.Complete).",
            nameof(record));
        using var source = SkiaImages.DecodeRgba(record.ImagePath);
        return Resample(source, FaceCrop.For(record, source.Width, source.Height), size, landmarks);
    }

    /// <summary>Resamples every record of <paramref name="dataset"/> (in parallel, in record order). A record whose
    /// image cannot be read is left out and reported in <see cref="ResampledFaces.Problems"/> with its file and line,
    /// never dropped silently.</summary>
    public static ResampledFaces ResampleAll(FaceDataset dataset, int size)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        var records = dataset.Records;
        var faces = new ResampledFace?[records.Count];
        var problems = new string?[records.Count];
        Parallel.For(0, records.Count, i =>
        {
            try
            {
                faces[i] = Resample(records[i], size);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException)
            {
                problems[i] = $"{records[i].Location}: {e.Message}";
            }
        });
        var kept = Enumerable.Range(0, records.Count).Where(i => faces[i] is not null).ToArray();
        return new ResampledFaces(kept.Select(i => faces[i]!).ToArray(), kept.Select(i => records[i].Label).ToArray(),
            dataset.ClassNames, problems.OfType<string>().ToArray());
    }
}
