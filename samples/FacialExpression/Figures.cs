using SkiaSharp;

namespace PrivilegedAttribution.Samples.FacialExpression;

/// <summary>One panel of an overlay figure: an RGB face, optionally a map in [0, 1] drawn over it in colour and
/// landmarks drawn as dots.</summary>
public sealed record OverlayPanel(byte[] Rgb, float[]? Map, float[]? Landmarks, string Caption);

/// <summary>PNG figures: overlay grids and the confusion matrix.</summary>
public static class Figures
{
    private const int Cell = 160;
    private const int CaptionHeight = 18;

    /// <summary>Writes rows of panels, each panel scaled to 160×160, captions below.</summary>
    public static void WriteOverlays(string path, int size, IReadOnlyList<IReadOnlyList<OverlayPanel>> rows)
    {
        var columns = rows.Max(r => r.Count);
        using var surface = SKSurface.Create(new SKImageInfo(columns * Cell, rows.Count * (Cell + CaptionHeight)));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var typeface = LoadTypeface();
        using var font = new SKFont(typeface, 11);
        using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var dot = new SKPaint { Color = new SKColor(0, 255, 0), IsAntialias = true };
        for (var r = 0; r < rows.Count; r++)
        {
            for (var c = 0; c < rows[r].Count; c++)
            {
                var panel = rows[r][c];
                using var bitmap = Compose(panel, size);
                var cell = SKRect.Create(c * Cell, r * (Cell + CaptionHeight), Cell, Cell);
                using var image = SKImage.FromBitmap(bitmap);
                canvas.DrawImage(image, cell, new SKSamplingOptions(SKFilterMode.Linear));
                if (panel.Landmarks is { } points)
                {
                    var scale = (float)Cell / size;
                    for (var k = 0; k < points.Length / 2; k++)
                    {
                        canvas.DrawCircle(cell.Left + (points[2 * k] + 0.5f) * scale,
                            cell.Top + (points[2 * k + 1] + 0.5f) * scale, 1.6f, dot);
                    }
                }

                canvas.DrawText(panel.Caption, cell.Left + 3, cell.Bottom + 13, SKTextAlign.Left, font, text);
            }
        }

        Save(surface, path);
    }

    /// <summary>Writes the confusion matrix (rows: true class, columns: predicted), shaded by row fraction.</summary>
    public static void WriteConfusionMatrix(string path, int[,] counts, IReadOnlyList<string> classNames)
    {
        const int box = 56;
        const int margin = 90;
        var k = classNames.Count;
        using var surface = SKSurface.Create(new SKImageInfo(margin + k * box + 10, margin + k * box + 10));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var typeface = LoadTypeface();
        using var font = new SKFont(typeface, 11);
        using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        for (var t = 0; t < k; t++)
        {
            var total = Enumerable.Range(0, k).Sum(p => counts[t, p]);
            canvas.DrawText(classNames[t], 4, margin + t * box + box / 2 + 4, SKTextAlign.Left, font, text);
            canvas.DrawText(classNames[t], margin + t * box + box / 2, margin - 8, SKTextAlign.Center, font, text);
            for (var p = 0; p < k; p++)
            {
                var fraction = total == 0 ? 0 : (float)counts[t, p] / total;
                using var fill = new SKPaint { Color = Heat(fraction) };
                var rect = SKRect.Create(margin + p * box, margin + t * box, box - 2, box - 2);
                canvas.DrawRect(rect, fill);
                using var ink = new SKPaint { Color = fraction < 0.4f ? SKColors.White : SKColors.Black, IsAntialias = true };
                canvas.DrawText(counts[t, p].ToString(System.Globalization.CultureInfo.InvariantCulture),
                    rect.MidX, rect.MidY + 4, SKTextAlign.Center, font, ink);
            }
        }

        canvas.DrawText("rows: true class, columns: predicted", 4, 14, SKTextAlign.Left, font, text);
        Save(surface, path);
    }

    private static SKBitmap Compose(OverlayPanel panel, int size)
    {
        var bitmap = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var pixels = bitmap.GetPixelSpan();
        for (var i = 0; i < size * size; i++)
        {
            float r = panel.Rgb[3 * i], g = panel.Rgb[3 * i + 1], b = panel.Rgb[3 * i + 2];
            if (panel.Map is { } map)
            {
                // Grey face under a colour map whose opacity follows the value.
                var grey = (r + g + b) / 3 * 0.6f;
                var heat = Heat(map[i]);
                var alpha = 0.15f + 0.7f * Math.Clamp(map[i], 0, 1);
                r = grey * (1 - alpha) + heat.Red * alpha;
                g = grey * (1 - alpha) + heat.Green * alpha;
                b = grey * (1 - alpha) + heat.Blue * alpha;
            }

            pixels[4 * i] = (byte)Math.Clamp(r, 0, 255);
            pixels[4 * i + 1] = (byte)Math.Clamp(g, 0, 255);
            pixels[4 * i + 2] = (byte)Math.Clamp(b, 0, 255);
            pixels[4 * i + 3] = 255;
        }

        return bitmap;
    }

    /// <summary>Dark blue → red → yellow for 0 → 1.</summary>
    private static SKColor Heat(float value)
    {
        var v = Math.Clamp(value, 0, 1);
        var r = (byte)(255 * Math.Clamp(2 * v, 0, 1));
        var g = (byte)(255 * Math.Clamp(2 * v - 1, 0, 1));
        var b = (byte)(255 * Math.Clamp(0.5f - v, 0, 0.5f));
        return new SKColor(r, g, b);
    }

    /// <summary>SkiaSharp's Linux assets without dependencies have no font manager: load a common font file when
    /// one exists (Debian's fonts-dejavu-core), else the default, which may draw no text.</summary>
    private static SKTypeface LoadTypeface()
    {
        string[] candidates =
        [
            "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
            "/usr/share/fonts/TTF/DejaVuSans.ttf",
            "/Library/Fonts/Arial.ttf",
            "C:/Windows/Fonts/arial.ttf",
        ];
        var path = candidates.FirstOrDefault(File.Exists);
        return (path is null ? null : SKTypeface.FromFile(path)) ?? SKTypeface.Default;
    }

    private static void Save(SKSurface surface, string path)
    {
        using var snapshot = surface.Snapshot();
        using var data = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }
}
