using PrivilegedAttribution;
using PrivilegedAttribution.Landmarks.SkiaSharp;
using TorchSharp;
using static FaceTensors;
using static TorchSharp.torch;

/// <summary>The figures of faces, priors and attributions: heatmap-overlays.png and attribution-overlays.png.
/// </summary>
internal static class Overlays
{
    /// <summary>heatmap-overlays.png: the first <paramref name="count"/> test faces with their landmarks, their PAL
    /// prior, and (with an augmentation) the same face after one training augmentation with its moved landmarks and
    /// prior, which shows that they moved together. attribution-overlays.png: the trained model's G ⊙ A at the PAL
    /// layer (mean of the channels, positive part, upsampled).</summary>
    public static void Write(nn.Module<Tensor, Tensor> model, IHeatmapPrior prior, LandmarkAugmentation? augmentation,
        ResampledFaces test, int[] predictions, Settings settings, int count)
    {
        var rows = Enumerable.Range(0, Math.Min(count, test.Count)).ToArray();
        if (rows.Length == 0)
        {
            return;
        }

        using var scope = NewDisposeScope();
        var (images, labels, points) = Batch(test, rows);
        var s = settings.Size;
        model.eval();
        using var map = new AttributionMap(model, settings.Layer);
        var attribution = map.forward(model.call(Normalise(images)), labels).detach().mean([1], keepdim: true);
        var upsampled = nn.functional.interpolate(attribution, [s, s], mode: InterpolationMode.Bilinear,
            align_corners: false).relu();
        var attributions = upsampled / upsampled.amax([1, 2, 3], keepdim: true).clamp_min(1e-12);
        // A class-specific prior (action units) draws each face's map for its own label.
        Tensor Prior(Tensor landmarks, Tensor? visible) => prior is IClassConditionalPrior byClass
            ? byClass.render(landmarks, labels, s, s, visible)
            : prior.render(landmarks, s, s, visible);
        using var draws = new Generator(1);
        var augmented = augmentation?.Apply(images, points, generator: draws);
        var heatmaps = Prior(points, null);
        var augmentedHeatmaps = augmented is null ? null : Prior(augmented.Landmarks, augmented.Visible);
        var (heatmapFigure, attributionFigure) = (new OverlayFigure("heatmap-overlays", s, s, (159 + s) / s),
            new OverlayFigure("attribution-overlays", s, s, (159 + s) / s));
        var what = settings.Prior == "landmarks" ? "inner face" : "its action units";
        foreach (var i in rows)
        {
            var face = test.Faces[i].Rgb.Select(v => v / 255f).ToArray();
            var (label, guess) = (test.ClassNames[test.Labels[i]], test.ClassNames[predictions[i]]);
            List<OverlayCell> cells =
            [
                new(face, null, $"{label}: 68 landmarks", test.Faces[i].Landmarks),
                new(face, Floats(heatmaps[i, 0]), $"PAL prior ({what})"),
            ];
            if (augmented is not null)
            {
                var shown = augmented.Landmarks[i][augmented.Visible[i]];   // the points still on the image
                cells.Add(new(Floats(augmented.Images[i].permute(1, 2, 0)), Floats(augmentedHeatmaps![i, 0]),
                    $"augmented ({settings.Augment})", Floats(shown)));
            }

            heatmapFigure.AddRow("", cells);
            attributionFigure.AddRow("", [new OverlayCell(face, null, $"true {label}"),
                new OverlayCell(face, Floats(attributions[i, 0]), $"{settings.Layer} G⊙A, pred {guess}")]);
        }

        heatmapFigure.Save(Path.Combine(settings.Output, "heatmap-overlays.png"));
        attributionFigure.Save(Path.Combine(settings.Output, "attribution-overlays.png"));
    }

    private static float[] Floats(Tensor values) => values.contiguous().flatten().data<float>().ToArray();
}
