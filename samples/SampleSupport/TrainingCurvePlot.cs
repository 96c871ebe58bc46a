using ScottPlot;

namespace PrivilegedAttribution.Samples;

/// <summary>Training curves as a PNG (ScottPlot): cross-entropy per epoch (training solid, validation dashed) above,
/// validation accuracy per epoch below, one colour per run (e.g. plain and PAL).</summary>
public static class TrainingCurvePlot
{
    /// <summary>Writes the PNG to <paramref name="path"/> (folders are created).</summary>
    /// <param name="path">The PNG file.</param>
    /// <param name="title">Printed above the upper panel.</param>
    /// <param name="curves">One or more runs with at least one epoch each.</param>
    public static void Write(string path, string title, IReadOnlyList<TrainingCurve> curves)
    {
        ArgumentNullException.ThrowIfNull(curves);
        if (curves.Count == 0 || curves.Any(c => c.Epochs.Count == 0))
        {
            throw new ArgumentException("Every curve needs at least one epoch.", nameof(curves));
        }

        FigureFont.RegisterWithScottPlot();
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        var (loss, accuracy) = (multiplot.GetPlot(0), multiplot.GetPlot(1));
        for (var c = 0; c < curves.Count; c++)
        {
            var epochs = curves[c].Epochs;
            var xs = epochs.Select(e => (double)e.Epoch).ToArray();
            var color = Colors.Category10[c % 10];
            var train = loss.Add.Scatter(xs, epochs.Select(e => e.TrainCrossEntropy).ToArray(), color);
            train.LegendText = $"{curves[c].Name}: training";
            train.LineWidth = 2;
            if (epochs.All(e => double.IsNaN(e.ValidationAccuracy)))
            {
                continue; // no validation split
            }

            var validation = loss.Add.Scatter(xs, epochs.Select(e => e.ValidationCrossEntropy).ToArray(), color);
            validation.LegendText = $"{curves[c].Name}: validation";
            validation.LineWidth = 2;
            validation.LinePattern = LinePattern.Dashed;
            var score = accuracy.Add.Scatter(xs, epochs.Select(e => e.ValidationAccuracy).ToArray(), color);
            score.LegendText = curves[c].Name;
            score.LineWidth = 2;
        }

        loss.Title(title);
        loss.YLabel("cross-entropy");
        loss.ShowLegend(Edge.Right);
        accuracy.XLabel("epoch");
        accuracy.YLabel("validation accuracy (%)");
        accuracy.ShowLegend(Edge.Right);
        foreach (var plot in new[] { loss, accuracy })
        {
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        multiplot.SavePng(path, 800, 700);
    }
}
