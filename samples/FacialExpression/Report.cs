using System.Globalization;
using System.Text;
using System.Text.Json;
using PrivilegedAttribution.Landmarks.SkiaSharp;
using ScottPlot;
using SkiaSharp;

/// <summary>How the model was trained, for the report.</summary>
internal sealed record Settings(string Architecture, int Size, int Epochs, int BatchSize, double LearningRate,
    string Layer, double Lambda, string Strategy, string Prior, double Sigma, string Augment, string ClassWeights,
    double LabelSmoothing, string? Weights, string Output);

/// <summary>One epoch's mean training cross-entropy and its validation cross-entropy and accuracy (%).</summary>
internal sealed record EpochScores(double TrainLoss, double ValidationLoss, double ValidationAccuracy);

/// <summary>The evaluation: accuracy per class and the confusion matrix (metrics.md, metrics.json,
/// confusion-matrix.csv and .png), and the training curves (training-curves.png).</summary>
internal static class Report
{
    public static void Write(Settings settings, ResampledFaces test, int[] predictions,
        IReadOnlyList<EpochScores> curve)
    {
        var names = test.ClassNames;
        var k = names.Count;
        var confusion = new int[k, k];
        for (var i = 0; i < predictions.Length; i++)
        {
            confusion[test.Labels[i], predictions[i]]++;
        }

        var totals = Enumerable.Range(0, k).Select(t => Enumerable.Range(0, k).Sum(p => confusion[t, p])).ToArray();
        double? Accuracy(int c) => totals[c] == 0 ? null : (double)confusion[c, c] / totals[c];
        var overall = (double)Enumerable.Range(0, k).Sum(c => confusion[c, c]) / Math.Max(1, totals.Sum());
        // The mean over the classes with test faces: what class weights trade overall accuracy for.
        var meanOfClasses = Enumerable.Range(0, k).Select(Accuracy).OfType<double>().DefaultIfEmpty(0).Average();
        var invariant = CultureInfo.InvariantCulture;
        string Row(int t) => string.Join(" | ", Enumerable.Range(0, k).Select(p => confusion[t, p]));
        var md = new StringBuilder("# Facial expression recognition with PAL\n\n");
        md.AppendLine(string.Create(invariant, $"{settings.Architecture} ({settings.Weights ?? "from scratch"}), " +
            $"{settings.Size}×{settings.Size}, {settings.Epochs} epoch(s), batch {settings.BatchSize}, lr " +
            $"{settings.LearningRate} (cosine), augmentation {settings.Augment}, class weights " +
            $"{settings.ClassWeights}, label smoothing {settings.LabelSmoothing}, PAL at {settings.Layer} λ = " +
            $"{settings.Lambda}, {settings.Strategy}, {settings.Prior} prior, σ = {settings.Sigma} px.\n"));
        md.AppendLine(string.Create(invariant, $"Overall accuracy: {overall:P1}; mean class accuracy: " +
            $"{meanOfClasses:P1}\n"));
        md.AppendLine("| class | test images | accuracy |\n|---|---:|---:|");
        for (var c = 0; c < k; c++)
        {
            var accuracy = Accuracy(c)?.ToString("P1", invariant) ?? "–";
            md.AppendLine(string.Create(invariant, $"| {names[c]} | {totals[c]} | {accuracy} |"));
        }

        md.AppendLine("\nConfusion matrix (rows: true class, columns: predicted):\n");
        md.AppendLine($"| | {string.Join(" | ", names)} |\n|---|{string.Concat(Enumerable.Repeat("---:|", k))}");
        md.AppendJoin("", Enumerable.Range(0, k).Select(t => $"| {names[t]} | {Row(t)} |\n"));
        File.WriteAllText(Path.Combine(settings.Output, "metrics.md"), md.ToString());
        File.WriteAllText(Path.Combine(settings.Output, "confusion-matrix.csv"),
            $"true\\predicted,{string.Join(',', names)}\n" +
            string.Concat(Enumerable.Range(0, k).Select(t => $"{names[t]},{Row(t).Replace(" | ", ",")}\n")));
        var json = new
        {
            settings, overallAccuracy = overall, meanClassAccuracy = meanOfClasses,
            perClass = Enumerable.Range(0, k)
                .Select(c => new { name = names[c], images = totals[c], accuracy = Accuracy(c) }),
            confusion = Enumerable.Range(0, k).Select(t => Enumerable.Range(0, k).Select(p => confusion[t, p])),
        };
        File.WriteAllText(Path.Combine(settings.Output, "metrics.json"),
            JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }));
        WriteConfusionMatrix(Path.Combine(settings.Output, "confusion-matrix.png"), confusion, names, totals);
        WriteCurves(Path.Combine(settings.Output, "training-curves.png"), settings, curve);
        Console.Write(md.ToString());
    }

    // Rows: true class, columns: predicted; each box shaded by its share of the row (dark blue → red → yellow).
    private static void WriteConfusionMatrix(string path, int[,] counts, IReadOnlyList<string> names, int[] totals)
    {
        const int box = 56, margin = 90;
        var k = names.Count;
        using var surface = SKSurface.Create(new SKImageInfo(margin + k * box + 10, margin + k * box + 10));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var typeface = FigureFont.Load();
        using var font = new SKFont(typeface, 11);
        using var black = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var white = new SKPaint { Color = SKColors.White, IsAntialias = true };
        canvas.DrawText("rows: true class, columns: predicted", 4, 14, SKTextAlign.Left, font, black);
        for (var t = 0; t < k; t++)
        {
            canvas.DrawText(names[t], 4, margin + t * box + box / 2 + 4, SKTextAlign.Left, font, black);
            canvas.DrawText(names[t], margin + t * box + box / 2, margin - 8, SKTextAlign.Center, font, black);
            for (var p = 0; p < k; p++)
            {
                var v = totals[t] == 0 ? 0 : (float)counts[t, p] / totals[t];
                using var fill = new SKPaint
                {
                    Color = new SKColor((byte)(255 * Math.Clamp(2 * v, 0, 1)),
                        (byte)(255 * Math.Clamp(2 * v - 1, 0, 1)), (byte)(255 * Math.Clamp(0.5f - v, 0, 0.5f))),
                };
                var rect = SKRect.Create(margin + p * box, margin + t * box, box - 2, box - 2);
                canvas.DrawRect(rect, fill);
                canvas.DrawText(counts[t, p].ToString(CultureInfo.InvariantCulture), rect.MidX, rect.MidY + 4,
                    SKTextAlign.Center, font, v < 0.4f ? white : black);
            }
        }

        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        png.SaveTo(file);
    }

    // Cross-entropy per epoch (training solid, validation dashed) above, validation accuracy below.
    private static void WriteCurves(string path, Settings settings, IReadOnlyList<EpochScores> curve)
    {
        if (FigureFont.File is { } font)   // SkiaSharp without a font manager: ScottPlot needs a font file
        {
            Fonts.AddFontFile("figure", font, bold: false, italic: false);
            Fonts.AddFontFile("figure", font, bold: true, italic: false);
            Fonts.Default = "figure";
        }

        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        var (loss, accuracy) = (multiplot.GetPlot(0), multiplot.GetPlot(1));
        var x = Enumerable.Range(1, curve.Count).Select(e => (double)e).ToArray();
        loss.Add.Scatter(x, curve.Select(e => e.TrainLoss).ToArray()).LegendText = "training";
        var validation = loss.Add.Scatter(x, curve.Select(e => e.ValidationLoss).ToArray());
        (validation.LegendText, validation.LinePattern) = ("validation", LinePattern.Dashed);
        accuracy.Add.Scatter(x, curve.Select(e => e.ValidationAccuracy).ToArray());
        loss.Title($"{settings.Architecture}, {settings.Size}×{settings.Size}, PAL λ = {settings.Lambda}");
        loss.YLabel("cross-entropy");
        loss.ShowLegend(Edge.Right);
        accuracy.YLabel("validation accuracy (%)");
        accuracy.XLabel("epoch");
        multiplot.SavePng(path, 800, 700);
    }
}
