using SkiaSharp;

namespace PrivilegedAttribution.Landmarks.SkiaSharp;

/// <summary>Decodes image files with SkiaSharp and converts them to dlib's grey values, (r + g + b) / 3.</summary>
public sealed class SkiaGrayImageDecoder : IGrayImageDecoder
{
    /// <summary>A shared instance (the decoder holds no state).</summary>
    public static SkiaGrayImageDecoder Instance { get; } = new();

    /// <inheritdoc />
    public GrayImage Decode(string path)
    {
        using var bitmap = SkiaImages.DecodeRgba(path);
        return bitmap.ToGrayImage();
    }
}

/// <summary>SkiaSharp helpers: decoding to unpremultiplied RGBA and conversion to <see cref="GrayImage"/>.</summary>
public static class SkiaImages
{
    /// <summary>Decodes <paramref name="path"/> to an unpremultiplied RGBA bitmap (applying no EXIF rotation, as
    /// dlib's loaders apply none).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an image SkiaSharp can decode.</exception>
    public static SKBitmap DecodeRgba(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Image '{path}' does not exist.", path);
        }

        using var codec = SKCodec.Create(path)
            ?? throw new InvalidDataException($"'{path}' is not an image SkiaSharp can decode.");
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
        {
            bitmap.Dispose();
            throw new InvalidDataException($"'{path}' could not be decoded: {result}.");
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
