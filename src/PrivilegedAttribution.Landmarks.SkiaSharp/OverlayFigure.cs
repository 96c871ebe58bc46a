using SkiaSharp;

namespace PrivilegedAttribution.Landmarks.SkiaSharp;

/// <summary>
/// A PNG grid of images with maps painted over them: one row per model (or per kind of map), one column per image,
/// each cell the image with an attribution's or heatmap's magnitude in red-to-yellow over it, so that where a network
/// looks, and where the privileged prior says it should, can be seen at a glance.
/// </summary>
/// <example><code>
/// var figure = new OverlayFigure("ResNet-18: attribution at layer2", 32, 32, scale: 4);
/// figure.AddRow("landmark heatmap", [new OverlayCell(image, heatmap, "label 3", landmarks)]);
/// figure.AddRow("with PAL", [new OverlayCell(image, attribution, "3 → 3")]);
/// figure.Save("out/attribution.png");
/// </code></example>
public sealed class OverlayFigure
{
    private const int Margin = 8;
    private const int LabelWidth = 170;
    private const int CaptionHeight = 16;
    private const int TitleHeight = 26;
    private readonly List<(string Title, IReadOnlyList<OverlayCell> Cells)> _rows = [];

    /// <summary>An empty figure.</summary>
    /// <param name="title">Printed across the top.</param>
    /// <param name="height">Height of every image in pixels.</param>
    /// <param name="width">Width of every image in pixels.</param>
    /// <param name="scale">Magnification of each image (nearest neighbour).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size or the scale is not positive.</exception>
    public OverlayFigure(string title, int height, int width, int scale = 4)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(scale);
        (Title, Height, Width, Scale) = (title, height, width, scale);
    }

    /// <summary>Printed across the top.</summary>
    public string Title { get; }

    /// <summary>Image height in pixels.</summary>
    public int Height { get; }

    /// <summary>Image width in pixels.</summary>
    public int Width { get; }

    /// <summary>Magnification of each image (nearest neighbour).</summary>
    public int Scale { get; }

    /// <summary>The rows added so far.</summary>
    public int RowCount => _rows.Count;

    /// <summary>Adds a row (a model, or a kind of map) of cells; an empty title leaves the label column out when
    /// no row has one.</summary>
    /// <exception cref="ArgumentException">A cell's image is neither H·W nor H·W·3 values, its map not H·W, or its
    /// landmarks not (x, y) pairs; the message gives the expected and actual lengths.</exception>
    public void AddRow(string title, IReadOnlyList<OverlayCell> cells)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(cells);
        var pixels = Height * Width;
        foreach (var cell in cells)
        {
            if ((cell.Image.Length != pixels && cell.Image.Length != 3 * pixels) ||
                (cell.Map is { } map && map.Length != pixels) || cell.Landmarks?.Length % 2 == 1)
            {
                throw new ArgumentException(
                    $"Every cell needs {Height}×{Width} grey or RGB image values, as many map values or none, and " +
                    $"(x, y) landmark pairs; got {cell.Image.Length}, {cell.Map?.Length} and {cell.Landmarks?.Length}.",
                    nameof(cells));
            }
        }

        _rows.Add((title, cells));
    }

    /// <summary>Writes the figure as PNG to <paramref name="path"/> (folders are created).</summary>
    /// <exception cref="InvalidOperationException">No row was added.</exception>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (_rows.Count == 0)
        {
            throw new InvalidOperationException("The figure has no rows to draw: add at least one with AddRow.");
        }

        var columns = _rows.Count == 0 ? 0 : _rows.Max(r => r.Cells.Count);
        var cellWidth = Width * Scale;
        var cellHeight = Height * Scale + CaptionHeight;
        // Rows without titles (a grid of images alone) need no label column.
        var labelWidth = _rows.Any(r => r.Title.Length > 0) ? LabelWidth : Margin;
        var totalWidth = labelWidth + columns * (cellWidth + Margin) + Margin;
        var totalHeight = TitleHeight + _rows.Count * (cellHeight + Margin) + Margin;
        using var bitmap = new SKBitmap(totalWidth, totalHeight, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var typeface = FigureFont.Load();
        using var titleFont = new SKFont(typeface, 16);
        using var font = new SKFont(typeface, 12);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var dot = new SKPaint { Color = new SKColor(0, 255, 0), IsAntialias = true };
        canvas.DrawText(Title, Margin, 18, SKTextAlign.Left, titleFont, ink);
        for (var r = 0; r < _rows.Count; r++)
        {
            var top = TitleHeight + r * (cellHeight + Margin);
            var (title, cells) = _rows[r];
            var line = 0;
            foreach (var part in Wrap(title, 24))
            {
                canvas.DrawText(part, Margin, top + 16 + 14 * line++, SKTextAlign.Left, font, ink);
            }

            for (var c = 0; c < cells.Count; c++)
            {
                var left = labelWidth + c * (cellWidth + Margin);
                using var cell = RenderCell(cells[c]);
                using var cellImage = SKImage.FromBitmap(cell);
                canvas.DrawImage(cellImage, left, top, new SKSamplingOptions(SKFilterMode.Nearest));
                var points = cells[c].Landmarks ?? [];
                for (var k = 0; k + 1 < points.Length; k += 2)
                {
                    // Pixel centres are integer coordinates: pixel x covers [x·s, (x + 1)·s) once scaled.
                    canvas.DrawCircle(left + (points[k] + 0.5f) * Scale, top + (points[k + 1] + 0.5f) * Scale, 1.6f,
                        dot);
                }

                canvas.DrawText(cells[c].Caption, left, top + Height * Scale + 12, SKTextAlign.Left, font, ink);
            }
        }

        using var image = SKImage.FromBitmap(bitmap);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        png.SaveTo(file);
    }

    /// <summary>The cell at its own resolution (nearest-neighbour upscaling keeps pixels visible).</summary>
    private SKBitmap RenderCell(OverlayCell cell)
    {
        var bitmap = new SKBitmap(Width, Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var rgb = cell.Image.Length == 3 * Height * Width;
        // Scale by a high percentile rather than the maximum, so one extreme pixel does not wash out the rest.
        var magnitudes = cell.Map?.Select(Math.Abs).Order().ToArray();
        var top = magnitudes is null ? 0 : Math.Max(magnitudes[(int)(0.99 * (magnitudes.Length - 1))], 1e-12f);
        for (var i = 0; i < Height; i++)
        {
            for (var j = 0; j < Width; j++)
            {
                var p = i * Width + j;
                if (cell.Map is null)
                {
                    bitmap.SetPixel(j, i, rgb
                        ? new SKColor(ToByte(cell.Image[3 * p]), ToByte(cell.Image[3 * p + 1]),
                            ToByte(cell.Image[3 * p + 2]))
                        : new SKColor(ToByte(cell.Image[p]), ToByte(cell.Image[p]), ToByte(cell.Image[p])));
                    continue;
                }

                // Under a map the image is grey, so that the map's colours read unambiguously.
                var grey = Math.Clamp(
                    rgb ? (cell.Image[3 * p] + cell.Image[3 * p + 1] + cell.Image[3 * p + 2]) / 3 : cell.Image[p],
                    0f, 1f);
                var heat = Math.Clamp(Math.Abs(cell.Map[p]) / top, 0f, 1f);
                // Red to yellow as heat grows, blended over the grey image by the heat itself.
                var (hr, hg, hb) = (1f, heat, 0f);
                var alpha = 0.85f * heat;
                var red = grey * (1 - alpha) + hr * alpha;
                var green = grey * (1 - alpha) + hg * alpha;
                var blue = grey * (1 - alpha) + hb * alpha;
                bitmap.SetPixel(j, i, new SKColor(ToByte(red), ToByte(green), ToByte(blue)));
            }
        }

        var scaled = new SKBitmap(Width * Scale, Height * Scale, SKColorType.Rgba8888, SKAlphaType.Premul);
        bitmap.ScalePixels(scaled, new SKSamplingOptions(SKFilterMode.Nearest));
        bitmap.Dispose();
        return scaled;
    }

    private static byte ToByte(float value) => (byte)Math.Round(255 * Math.Clamp(value, 0f, 1f));

    private static IEnumerable<string> Wrap(string text, int width)
    {
        var line = "";
        foreach (var word in text.Split(' '))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                yield return line;
                line = word;
            }
            else
            {
                line = line.Length == 0 ? word : line + " " + word;
            }
        }

        if (line.Length > 0)
        {
            yield return line;
        }
    }
}
