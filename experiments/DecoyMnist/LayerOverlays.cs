using PrivilegedAttribution.Landmarks.SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>Overlay cells of the package's <see cref="OverlayFigure"/> from tensors: images with maps (a heatmap
/// prior, an input gradient) over them.</summary>
public static class LayerOverlays
{
    /// <summary>Cells from (B,C,H,W) images (RGB whole, otherwise channel 0) and (B,1,H,W) maps (e.g. a heatmap prior),
    /// captioned with the label and, when given, the prediction.</summary>
    public static List<OverlayCell> FromTensors(Tensor images, Tensor maps, Tensor labels, Tensor? predicted = null)
    {
        var cells = new List<OverlayCell>();
        for (var n = 0; n < images.shape[0]; n++)
        {
            var label = labels[n].item<long>();
            // RGB images go in whole (pixel by pixel, as OverlayCell reads them): under a map OverlayFigure draws
            // their grey mean, not the red channel alone; other channel counts give channel 0.
            using var pixels = images.shape[1] == 3 ? images[n].permute(1, 2, 0) : images[n, 0];
            cells.Add(new OverlayCell(
                pixels.flatten().to(ScalarType.Float32).data<float>().ToArray(),
                maps[n, 0].flatten().to(ScalarType.Float32).data<float>().ToArray(),
                predicted is null ? $"label {label}" : $"{label} → {predicted[n].item<long>()}"));
        }

        return cells;
    }
}
