using SkiaSharp;

namespace PrivilegedAttribution.Fuzz;

/// <summary>The image target's seeds in the formats that cannot be written by hand (JPEG, WebP), encoded by SkiaSharp
/// at the start of a campaign; the committed seeds (Corpus/image) are the hand-written PNG, GIF and BMP files.
/// </summary>
internal static class ImageSeeds
{
    /// <summary>Writes a 12×10 gradient as JPEG (two qualities), lossy and lossless WebP into
    /// <paramref name="folder"/>.</summary>
    public static void Write(string folder)
    {
        Directory.CreateDirectory(folder);
        using var bitmap = new SKBitmap(new SKImageInfo(12, 10, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (var y = 0; y < bitmap.Height; y++)
        {
            for (var x = 0; x < bitmap.Width; x++)
            {
                bitmap.SetPixel(x, y, new SKColor((byte)(20 * x), (byte)(25 * y), (byte)(255 - 10 * x), 255));
            }
        }

        foreach (var (name, format, quality) in new[]
                 {
                     ("gradient-q90.jpg", SKEncodedImageFormat.Jpeg, 90), ("gradient-q20.jpg", SKEncodedImageFormat.Jpeg, 20),
                     ("gradient-lossy.webp", SKEncodedImageFormat.Webp, 75),
                     ("gradient-lossless.webp", SKEncodedImageFormat.Webp, 100),
                 })
        {
            using var data = bitmap.Encode(format, quality);
            File.WriteAllBytes(Path.Combine(folder, name), data.ToArray());
        }
    }
}
