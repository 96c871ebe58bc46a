using SkiaSharp;

namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>Writes the experiment's figures: lossless PNG, folders created as needed.</summary>
public static class PngFile
{
    /// <summary>Encodes <paramref name="image"/> as PNG into <paramref name="path"/>.</summary>
    public static void Save(SKImage image, string path)
    {
        ArgumentNullException.ThrowIfNull(image);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        png.SaveTo(file);
    }
}
