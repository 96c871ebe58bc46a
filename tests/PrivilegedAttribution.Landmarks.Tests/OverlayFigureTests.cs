using PrivilegedAttribution.Landmarks.SkiaSharp;
using SkiaSharp;

namespace PrivilegedAttribution.Landmarks.Tests;

/// <summary>An overlay figure is a PNG grid whose cells show the map's hot pixels in red to yellow over a grey image,
/// at the cell's place; cells of the wrong size and empty figures are refused.</summary>
[TestFixture]
public sealed class OverlayFigureTests
{
    private string _folder = "";

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory().FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    [Test]
    public void TheMapsHottestPixelIsPaintedYellowOverTheGreyImageAtItsPlace()
    {
        const int size = 8;
        const int scale = 4;
        var image = Enumerable.Repeat(0.5f, size * size).ToArray();
        var map = new float[size * size];
        map[2 * size + 5] = -3;                                      // magnitude counts: (x 5, y 2) is hottest
        var figure = new OverlayFigure("title", size, size, scale);
        figure.AddRow("", [new OverlayCell(image, null, "plain"), new OverlayCell(image, map, "map")]);
        var path = Path.Combine(_folder, "sub", "figure.png");

        figure.Save(path);

        using var png = SKBitmap.Decode(path);
        Assert.That(png, Is.Not.Null, "a PNG was written, its folder created");
        // No row title: the label column is one margin (8) wide; cells are 32 + 8 apart; the title band is 26 high.
        var secondLeft = 8 + size * scale + 8;
        var hot = png.GetPixel(secondLeft + 5 * scale + 1, 26 + 2 * scale + 1);
        var cold = png.GetPixel(secondLeft + 1 * scale + 1, 26 + 6 * scale + 1);
        var plain = png.GetPixel(8 + 5 * scale + 1, 26 + 2 * scale + 1);
        Assert.That((hot.Red, hot.Green, hot.Blue), Is.EqualTo(((byte)236, (byte)236, (byte)19)), "yellow");
        Assert.That((cold.Red, cold.Green, cold.Blue), Is.EqualTo(((byte)128, (byte)128, (byte)128)), "grey");
        Assert.That((plain.Red, plain.Green, plain.Blue), Is.EqualTo(((byte)128, (byte)128, (byte)128)));
        Assert.That(png.Width, Is.EqualTo(8 + 2 * (size * scale + 8) + 8));
    }

    [Test]
    public void RgbImagesAndLandmarksAreDrawn()
    {
        const int size = 4;
        var red = Enumerable.Range(0, size * size).SelectMany(_ => new[] { 1f, 0, 0 }).ToArray();
        var figure = new OverlayFigure("rgb", size, size, scale: 10);
        figure.AddRow("faces", [new OverlayCell(red, null, "red", Landmarks: [1, 1])]);
        var path = Path.Combine(_folder, "rgb.png");

        figure.Save(path);

        using var png = SKBitmap.Decode(path);
        // A titled row: the label column is 170 wide.
        var pixel = png.GetPixel(170 + 35, 26 + 35);
        var dot = png.GetPixel(170 + 15, 26 + 15);
        Assert.That((pixel.Red, pixel.Green, pixel.Blue), Is.EqualTo(((byte)255, (byte)0, (byte)0)));
        Assert.That(dot.Green, Is.GreaterThan(200), "the landmark's green dot at the pixel centre (1.5, 1.5)·10");
    }

    [Test]
    public void CellsOfTheWrongSizeAreRefusedWithTheLengths()
    {
        var figure = new OverlayFigure("t", 4, 4);

        var error = Assert.Throws<ArgumentException>(() =>
            figure.AddRow("r", [new OverlayCell(new float[16], new float[15], "c")]));

        Assert.That(error.ParamName, Is.EqualTo("cells"));
        Assert.That(error.Message, Does.Contain("4×4").And.Contain("15"));
        Assert.That(() => figure.AddRow("r", [new OverlayCell(new float[10], null, "c")]), Throws.ArgumentException);
        Assert.That(() => figure.AddRow("r", [new OverlayCell(new float[16], null, "c", [1, 2, 3])]),
            Throws.ArgumentException);
        Assert.That(figure.RowCount, Is.Zero);
    }

    [Test]
    public void AnEmptyFigureOrABadSizeIsRefused()
    {
        Assert.That(() => new OverlayFigure("t", 4, 4).Save(Path.Combine(_folder, "x.png")),
            Throws.InvalidOperationException);
        Assert.That(() => new OverlayFigure("t", 0, 4), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => new OverlayFigure("t", 4, 4, scale: 0), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
