using PrivilegedAttribution.Landmarks.SkiaSharp;
using ScottPlot;

namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>The small-data protocol's learning curve: clean test accuracy against the number of training digits
/// (logarithmic axis), one line per model, error bars one standard deviation over seeds.</summary>
public static class LearningCurvePlot
{
    /// <summary>Writes the PNG to <paramref name="path"/>.</summary>
    public static void Write(string path, IReadOnlyList<SmallDataReport.Row> rows)
    {
        if (FigureFont.File is { } font)   // SkiaSharp without a font manager: ScottPlot needs a font file
        {
            Fonts.AddFontFile("plot font", font, bold: false, italic: false);
            Fonts.AddFontFile("plot font", font, bold: true, italic: false);   // titles and axis labels are bold
            Fonts.Default = "plot font";
        }

        var plot = new Plot();
        var sizes = rows.Select(r => r.Size).Distinct().Order().ToArray();
        var methods = rows.Select(r => r.Method).Distinct().Order().ToList();
        for (var m = 0; m < methods.Count; m++)
        {
            var line = rows.Where(r => r.Method == methods[m]).OrderBy(r => r.Size).ToList();
            // A small sideways offset per model keeps overlapping error bars apart.
            var xs = line.Select(r => Math.Log10(r.Size) + 0.012 * (m - (methods.Count - 1) / 2.0)).ToArray();
            var color = Colors.Category10[m % Colors.Category10.Length];
            var scatter = plot.Add.Scatter(xs, line.Select(r => r.Test.Mean).ToArray(), color);
            scatter.LegendText = SmallData.Describe(methods[m]);
            scatter.LineWidth = 2;
            scatter.MarkerSize = 7;
            var bars = plot.Add.ErrorBar(xs, line.Select(r => r.Test.Mean).ToArray(),
                line.Select(r => r.Test.Std).ToArray());
            bars.Color = color;
        }

        // Logarithmic x: ScottPlot 5 plots log10(size) with ticks labelled in digits.
        plot.Axes.Bottom.SetTicks(sizes.Select(s => Math.Log10(s)).ToArray(),
            sizes.Select(s => s.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        plot.XLabel("training digits (clean, class-stratified; log scale)");
        plot.YLabel("accuracy on the clean test digits (%)");
        plot.Title("Small clean training sets: mean ± std over seeds");
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, 800, 520);
    }
}
