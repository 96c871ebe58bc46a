using SkiaSharp;

namespace PrivilegedAttribution.Landmarks.Tests;

/// <summary>Copies a text fixture of Fixtures/Datasets to a fresh temporary folder and adds the image files it
/// refers to (small synthetic JPEGs; "broken" ones hold text), so that no image is committed.</summary>
internal sealed class DatasetFixture : IDisposable
{
    private DatasetFixture(string root) => Root = root;

    public string Root { get; }

    public static DatasetFixture Create(string layout, IEnumerable<string> images, IEnumerable<string> brokenImages)
    {
        var root = Path.Combine(Path.GetTempPath(), $"pa-landmarks-{layout}-{Guid.NewGuid():N}");
        var source = TestData.FixtureFile(Path.Combine("Datasets", layout));
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(root, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        var seed = 1u;
        foreach (var image in images)
        {
            WriteJpeg(Path.Combine(root, image), 112, 112, seed++);
        }

        foreach (var image in brokenImages)
        {
            var path = Path.Combine(root, image);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, "this is not an image\n");
        }

        return new DatasetFixture(root);
    }

    public string this[string relative] => Path.Combine(Root, relative);

    public void Dispose() => Directory.Delete(Root, recursive: true);

    public static void WriteJpeg(string path, int width, int height, uint seed)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var rgb = SyntheticImage.Rgb(width, height, seed);
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var pixels = bitmap.GetPixelSpan();
        for (var i = 0; i < width * height; i++)
        {
            pixels[4 * i] = rgb[3 * i];
            pixels[4 * i + 1] = rgb[3 * i + 1];
            pixels[4 * i + 2] = rgb[3 * i + 2];
            pixels[4 * i + 3] = 255;
        }

        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
        File.WriteAllBytes(path, data.ToArray());
    }
}
