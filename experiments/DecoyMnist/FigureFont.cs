using ScottPlot;
using SkiaSharp;

namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>
/// The one font of the experiment's figures (overlay grids, ScottPlot's plots). SkiaSharp's Linux
/// assets without dependencies have no font manager, so the font is loaded from a common file of this machine.
/// </summary>
public static class FigureFont
{
    /// <summary>A common sans-serif font file of this machine (Debian's fonts-dejavu-core first), or null.</summary>
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

    /// <summary>Without a font manager (SkiaSharp's Linux assets without dependencies) ScottPlot draws no text, and
    /// without a bold face no title or axis label (they are bold): registers <see cref="File"/> for both and makes it
    /// ScottPlot's default. Does nothing without that file.</summary>
    public static void RegisterWithScottPlot()
    {
        if (File is { } file)
        {
            Fonts.AddFontFile("plot font", file, bold: false, italic: false);
            Fonts.AddFontFile("plot font", file, bold: true, italic: false);
            Fonts.Default = "plot font";
        }
    }
}
