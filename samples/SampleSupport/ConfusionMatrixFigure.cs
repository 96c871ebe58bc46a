using System.Globalization;
using SkiaSharp;

namespace PrivilegedAttribution.Samples;

/// <summary>A PNG of a classifier's confusion matrix: rows are the true classes, columns the predicted ones, each box
/// shaded by its share of the row (dark blue → red → yellow for 0 → 1) and labelled with its count.</summary>
public static class ConfusionMatrixFigure
{
    private const int Box = 56;
    private const int Margin = 90;

    /// <summary>Writes the matrix <paramref name="counts"/>[true, predicted] to <paramref name="path"/>.</summary>
    public static void Write(string path, int[,] counts, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(classNames);
        var k = classNames.Count;
        if (counts.GetLength(0) != k || counts.GetLength(1) != k)
        {
            throw new ArgumentException(
                $"{nameof(counts)} must be {k}×{k} for {k} class names; got " +
                $"{counts.GetLength(0)}×{counts.GetLength(1)}.", nameof(counts));
        }

        using var surface = SKSurface.Create(new SKImageInfo(Margin + k * Box + 10, Margin + k * Box + 10));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var typeface = FigureFont.Load();
        using var font = new SKFont(typeface, 11);
        using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        for (var t = 0; t < k; t++)
        {
            var total = Enumerable.Range(0, k).Sum(p => counts[t, p]);
            canvas.DrawText(classNames[t], 4, Margin + t * Box + Box / 2 + 4, SKTextAlign.Left, font, text);
            canvas.DrawText(classNames[t], Margin + t * Box + Box / 2, Margin - 8, SKTextAlign.Center, font, text);
            for (var p = 0; p < k; p++)
            {
                var fraction = total == 0 ? 0 : (float)counts[t, p] / total;
                using var fill = new SKPaint { Color = Heat(fraction) };
                var rect = SKRect.Create(Margin + p * Box, Margin + t * Box, Box - 2, Box - 2);
                canvas.DrawRect(rect, fill);
                using var ink = new SKPaint
                {
                    Color = fraction < 0.4f ? SKColors.White : SKColors.Black, IsAntialias = true,
                };
                canvas.DrawText(counts[t, p].ToString(CultureInfo.InvariantCulture),
                    rect.MidX, rect.MidY + 4, SKTextAlign.Center, font, ink);
            }
        }

        canvas.DrawText("rows: true class, columns: predicted", 4, 14, SKTextAlign.Left, font, text);
        using var snapshot = surface.Snapshot();
        PngFile.Save(snapshot, path);
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
}
