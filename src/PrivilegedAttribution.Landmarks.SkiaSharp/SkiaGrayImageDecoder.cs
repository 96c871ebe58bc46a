using SkiaSharp;

namespace PrivilegedAttribution.Landmarks.SkiaSharp;

/// <summary>Decodes image files with SkiaSharp (<see cref="SkiaImages.DecodeRgba"/>: complete images of at most
/// <see cref="SkiaImages.MaxPixelCount"/> pixels) and converts them to dlib's grey values, (r + g + b) / 3.</summary>
public sealed class SkiaGrayImageDecoder : IGrayImageDecoder
{
    /// <summary>A shared instance (the decoder holds no state).</summary>
    public static SkiaGrayImageDecoder Instance { get; } = new();

    /// <inheritdoc />
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file cannot be decoded, is truncated or too large (see
    /// <see cref="SkiaImages.DecodeRgba"/>).</exception>
    public GrayImage Decode(string path)
    {
        using var bitmap = SkiaImages.DecodeRgba(path);
        return bitmap.ToGrayImage();
    }
}

/// <summary>SkiaSharp helpers: decoding to unpremultiplied RGBA and conversion to <see cref="GrayImage"/>.</summary>
public static class SkiaImages
{
    /// <summary>
    /// The most pixels an image may declare to be decoded: 2²⁶ (67 108 864, e.g. 8192 × 8192), 256 MiB as RGBA.
    /// The size is checked in the file's header before anything is allocated, so a header claiming
    /// 100000 × 100000 pixels is reported instead of attempting 40 GB. Image formats compress, so a tiny file may
    /// still declare a large canvas (a 35-byte GIF can declare 65506 × 4096): this bound is what one decode may
    /// allocate, whatever the file's size. Face photographs (RAF-DB's originals, AffectNet's) are far below it.
    /// </summary>
    public const long MaxPixelCount = 1L << 26;

    /// <summary>Decodes <paramref name="path"/> to an unpremultiplied RGBA bitmap (applying no EXIF rotation, as
    /// dlib's loaders apply none). Only a complete decode is accepted: a truncated file is an error, never an image
    /// whose missing rows SkiaSharp filled with grey, nor the coarse first scans of a cut progressive JPEG (a JPEG
    /// must reach its end-of-image marker; bytes after it are ignored).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an image SkiaSharp can decode, is truncated
    /// (<see cref="SKCodecResult.IncompleteInput"/>) or corrupt, declares more than <see cref="MaxPixelCount"/>
    /// pixels, or its pixels cannot be allocated; the message names the file (and the declared size).</exception>
    public static SKBitmap DecodeRgba(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Image '{path}' does not exist.", path);
        }

        using var codec = SKCodec.Create(path)
            ?? throw new InvalidDataException($"'{path}' is not an image SkiaSharp can decode.");
        var (width, height) = (codec.Info.Width, codec.Info.Height);
        var pixelCount = (long)width * height;
        if (width <= 0 || height <= 0 || pixelCount > MaxPixelCount)
        {
            throw new InvalidDataException($"'{path}' declares {width}×{height} pixels: expected a positive size of " +
                $"at most {MaxPixelCount} pixels (SkiaImages.MaxPixelCount), got {pixelCount}.");
        }

        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var bitmap = new SKBitmap();
        if (!bitmap.TryAllocPixels(info))
        {
            bitmap.Dispose();
            throw new InvalidDataException(
                $"'{path}' declares {width}×{height} pixels, whose {info.BytesSize64} bytes cannot be allocated.");
        }

        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result == SKCodecResult.Success && codec.EncodedFormat == SKEncodedImageFormat.Jpeg &&
            JpegEndOfImage.IsMissing(File.ReadAllBytes(path)))
        {
            // libjpeg completes a progressive JPEG cut after its first scans with a fake end of image.
            result = SKCodecResult.IncompleteInput;
        }

        if (result != SKCodecResult.Success)
        {
            bitmap.Dispose();
            throw new InvalidDataException(result == SKCodecResult.IncompleteInput
                ? $"'{path}' is truncated: its data ends before the {width}×{height} pixels it declares are " +
                  "complete (IncompleteInput, or a JPEG without its end-of-image marker)."
                : $"'{path}' could not be decoded: {result}.");
        }

        return bitmap;
    }

    /// <summary>dlib's grey values of an RGBA or BGRA bitmap (alpha ignored; other colour types are converted to
    /// RGBA first).</summary>
    public static GrayImage ToGrayImage(this SKBitmap bitmap)
    {
        ArgumentNullException.ThrowIfNull(bitmap);
        if (bitmap.ColorType is SKColorType.Rgba8888 or SKColorType.Bgra8888)
        {
            return GrayImage.FromInterleaved(bitmap.GetPixelSpan(), bitmap.Width, bitmap.Height, bitmap.RowBytes, 4);
        }

        using var converted = new SKBitmap(new SKImageInfo(bitmap.Width, bitmap.Height, SKColorType.Rgba8888,
            SKAlphaType.Unpremul));
        if (!bitmap.CopyTo(converted, SKColorType.Rgba8888))
        {
            throw new InvalidOperationException($"Cannot convert a {bitmap.ColorType} bitmap to RGBA.");
        }

        return GrayImage.FromInterleaved(converted.GetPixelSpan(), converted.Width, converted.Height,
            converted.RowBytes, 4);
    }
}
