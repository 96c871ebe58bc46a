using SkiaSharp;

namespace PrivilegedAttribution.Landmarks.SkiaSharp;

/// <summary>
/// The font of the figures drawn here (<see cref="OverlayFigure"/>). SkiaSharp's Linux native assets without
/// dependencies have no font manager, so text would not be drawn with the default typeface: the font is loaded from
/// a common font file of the machine instead. Plotting libraries on SkiaSharp (e.g. ScottPlot) need the same file.
/// </summary>
public static class FigureFont
{
    /// <summary>A common sans-serif font file of this machine (DejaVu Sans on Linux, Arial elsewhere), or null.
    /// </summary>
    public static string? File { get; } = new[]
    {
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        "/Library/Fonts/Arial.ttf",
        "C:/Windows/Fonts/arial.ttf",
    }.FirstOrDefault(System.IO.File.Exists);

    /// <summary>The typeface of <see cref="File"/>, else SkiaSharp's default (which may draw no text). The caller
    /// disposes it.</summary>
    public static SKTypeface Load() => (File is null ? null : SKTypeface.FromFile(File)) ?? SKTypeface.Default;
}
