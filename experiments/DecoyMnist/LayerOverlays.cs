using TorchSharp;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>
/// Overlay cells for a trained model: the package's <see cref="AttributionMap"/> at a named layer (the map PAL
/// constrains: gradient × activation, mean over channels), upsampled to the image for display only.
/// </summary>
public static class LayerOverlays
{
    /// <summary>One cell per image, captioned "label → prediction".</summary>
    /// <param name="model">Any classifier; evaluated in eval mode.</param>
    /// <param name="layer">Layer name as <c>named_modules()</c> gives it.</param>
    /// <param name="images">(B,C,H,W) images: RGB (C = 3) whole, otherwise channel 0.</param>
    /// <param name="labels">(B) int64 classes whose logit is attributed.</param>
    /// <param name="shown">The images as drawn (e.g. without input normalisation); <paramref name="images"/> when
    /// null.</param>
    public static List<OverlayCell> Cells(nn.Module<Tensor, Tensor> model, string layer, Tensor images, Tensor labels,
        Tensor? shown = null)
    {
        model.eval();
        using var scope = NewDisposeScope();
        using var attribution = new AttributionMap(model, layer);
        var logits = model.call(images);
        var map = attribution.forward(logits, labels).detach().mean([1], keepdim: true);
        var (height, width) = (images.shape[2], images.shape[3]);
        var upsampled = nn.functional.interpolate(map, [height, width], mode: InterpolationMode.Bilinear,
            align_corners: false);
        return FromTensors(shown ?? images, upsampled, labels, logits.detach().argmax(1));
    }

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
