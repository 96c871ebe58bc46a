namespace PrivilegedAttribution.Samples.FacialExpression;

/// <summary>One panel of a face overlay figure: an RGB face, optionally a map drawn over it and landmarks drawn as
/// dots.</summary>
/// <param name="Rgb">(S·S·3) bytes, pixel by pixel.</param>
/// <param name="Map">(S·S) heatmap or attribution; null for the face alone.</param>
/// <param name="Landmarks">(x, y) pairs in input pixels; null for none.</param>
/// <param name="Caption">Text under the panel.</param>
public sealed record OverlayPanel(byte[] Rgb, float[]? Map, float[]? Landmarks, string Caption);

/// <summary>The sample's figures, drawn by the samples' one figure system (<see cref="OverlayFigure"/>,
/// <see cref="ConfusionMatrixFigure"/>); this class only adapts the faces' byte images to it.</summary>
public static class Figures
{
    /// <summary>Writes rows of S×S panels (S = <paramref name="size"/>), magnified to at least 160 pixels, titled
    /// with the file's name.</summary>
    public static void WriteOverlays(string path, int size, IReadOnlyList<IReadOnlyList<OverlayPanel>> rows)
    {
        var figure = new OverlayFigure(Path.GetFileNameWithoutExtension(path), size, size,
            scale: Math.Max(1, (int)Math.Ceiling(160.0 / size)));
        foreach (var row in rows)
        {
            figure.AddRow("", row.Select(panel => new OverlayCell(panel.Rgb.Select(v => v / 255f).ToArray(),
                panel.Map, panel.Caption, panel.Landmarks)).ToList());
        }

        figure.Save(path);
    }

    /// <summary>Writes the confusion matrix (rows: true class, columns: predicted), shaded by row fraction.</summary>
    public static void WriteConfusionMatrix(string path, int[,] counts, IReadOnlyList<string> classNames) =>
        ConfusionMatrixFigure.Write(path, counts, classNames);
}
