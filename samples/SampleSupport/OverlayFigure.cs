using SkiaSharp;

namespace PrivilegedAttribution.Samples;

/// <summary>One cell of an <see cref="OverlayFigure"/>: a grey image and an attribution map of the same size.
/// </summary>
/// <param name="Image">(H·W) grey values in [0, 1].</param>
/// <param name="Map">(H·W) attribution; its magnitude is drawn, scaled to the cell's own maximum.</param>
/// <param name="Caption">Text under the cell (e.g. "7 → 7").</param>
public sealed record OverlayCell(float[] Image, float[] Map, string Caption);

/// <summary>
/// A PNG grid of attribution overlays: one row per model, one column per image, each cell the grey image with the
/// attribution's magnitude painted over it in red-to-yellow, so that where a network looks can be seen at a glance.
/// </summary>
public sealed class OverlayFigure
{
    private const int Margin = 8;
    private const int LabelWidth = 170;
    private const int CaptionHeight = 16;
    private const int TitleHeight = 26;
    private readonly List<(string Title, IReadOnlyList<OverlayCell> Cells)> _rows = [];

    /// <summary>Creates an empty figure of <paramref name="height"/>×<paramref name="width"/> images, each drawn
    /// <paramref name="scale"/> times larger.</summary>
    public OverlayFigure(string title, int height, int width, int scale = 4)
    {
        Title = title;
        Height = height;
        Width = width;
        Scale = scale;
    }

    /// <summary>Printed across the top.</summary>
    public string Title { get; }

    /// <summary>Image height in pixels.</summary>
    public int Height { get; }

    /// <summary>Image width in pixels.</summary>
    public int Width { get; }

    /// <summary>Magnification of each image.</summary>
    public int Scale { get; }

    /// <summary>Adds a row (a model) of cells.</summary>
    public void AddRow(string title, IReadOnlyList<OverlayCell> cells)
    {
        foreach (var cell in cells)
        {
            if (cell.Image.Length != Height * Width || cell.Map.Length != Height * Width)
            {
                throw new ArgumentException(
                    $"Every cell needs {Height}×{Width} values; got {cell.Image.Length} and {cell.Map.Length}.",
                    nameof(cells));
            }
        }

        _rows.Add((title, cells));
    }

    /// <summary>Writes the figure as PNG to <paramref name="path"/> (folders are created).</summary>
    public void Save(string path)
    {
        var columns = _rows.Count == 0 ? 0 : _rows.Max(r => r.Cells.Count);
        var cellWidth = Width * Scale;
        var cellHeight = Height * Scale + CaptionHeight;
        var totalWidth = LabelWidth + columns * (cellWidth + Margin) + Margin;
        var totalHeight = TitleHeight + _rows.Count * (cellHeight + Margin) + Margin;
        using var bitmap = new SKBitmap(totalWidth, totalHeight, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var typeface = LoadTypeface();
        using var titleFont = new SKFont(typeface, 16);
        using var font = new SKFont(typeface, 12);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
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
                var left = LabelWidth + c * (cellWidth + Margin);
                using var cell = RenderCell(cells[c]);
                using var cellImage = SKImage.FromBitmap(cell);
                canvas.DrawImage(cellImage, left, top, new SKSamplingOptions(SKFilterMode.Nearest));
                canvas.DrawText(cells[c].Caption, left, top + Height * Scale + 12, SKTextAlign.Left, font, ink);
            }
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var image = SKImage.FromBitmap(bitmap);
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        png.SaveTo(file);
    }

    /// <summary>The cell at its own resolution (nearest-neighbour upscaling keeps pixels visible).</summary>
    private SKBitmap RenderCell(OverlayCell cell)
    {
        var bitmap = new SKBitmap(Width, Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        // Scale by a high percentile rather than the maximum, so one extreme pixel does not wash out the rest.
        var magnitudes = cell.Map.Select(Math.Abs).Order().ToArray();
        var top = Math.Max(magnitudes[(int)(0.99 * (magnitudes.Length - 1))], 1e-12f);
        for (var i = 0; i < Height; i++)
        {
            for (var j = 0; j < Width; j++)
            {
                var grey = Math.Clamp(cell.Image[i * Width + j], 0f, 1f);
                var heat = Math.Clamp(Math.Abs(cell.Map[i * Width + j]) / top, 0f, 1f);
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

    /// <summary>A common sans-serif font file of this machine, or null. SkiaSharp's Linux assets without dependencies
    /// have no font manager, so figures (these and ScottPlot's) load their font from a file.</summary>
    public static string? FontFile { get; } = new[]
    {
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        "/Library/Fonts/Arial.ttf",
        "C:/Windows/Fonts/arial.ttf",
    }.FirstOrDefault(File.Exists);

    /// <summary>The font of <see cref="FontFile"/>, else the (possibly empty) default.</summary>
    private static SKTypeface LoadTypeface() =>
        (FontFile is null ? null : SKTypeface.FromFile(FontFile)) ?? SKTypeface.Default;
}
