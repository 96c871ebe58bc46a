using PrivilegedAttribution.Landmarks.SkiaSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>
/// One PNG per protocol: the privileged heatmap PAL is given, then, for each model, the input gradient of the true
/// class's logit on the same test digits (with the protocol's test decoy). A model that learned the shortcut lights
/// up the corner patch; one that learned the digit lights up its strokes.
/// </summary>
public static class AttributionFigures
{
    private const int Columns = 10;

    /// <summary>Writes attribution-&lt;protocol&gt;.png into <paramref name="folder"/>.</summary>
    public static IEnumerable<string> Write(string folder, ExperimentData data, ExperimentSettings settings,
        IReadOnlyDictionary<(string, TrainingMethod), Sequential> models)
    {
        var written = new List<string>();
        // One digit of each class, the first of the test split.
        var picks = Enumerable.Range(0, 10)
            .Select(c => Array.IndexOf(data.Test.Labels, c)).Where(i => i >= 0).Take(Columns).ToArray();
        var clean = data.Test.Subset(picks);
        foreach (var protocol in settings.Protocols)
        {
            using var scope = NewDisposeScope();
            using var split = DecoySplit.Create(clean, protocol, DecoyPhase.Test, seed: 5);
            var figure = new OverlayFigure(
                $"Decoy MNIST ({protocol.Name}, test decoys): |input gradient| of the true class", 28, 28);
            var prior = PalFunctional.mask_heatmap(split.Ink, 28, 28, settings.Pal.Sigma);
            figure.AddRow(FormattableString.Invariant($"privileged heatmap (ink, σ={settings.Pal.Sigma})"),
                LayerOverlays.FromTensors(split.Images, prior, split.Labels));
            foreach (var method in settings.Methods)
            {
                if (!models.TryGetValue((protocol.Name, method), out var model))
                {
                    continue;
                }

                model.eval();
                var input = split.Images.detach().requires_grad_();
                var logits = model.call(input);
                var gradient = PalFunctional.attribution_map(logits, input, split.Labels, AttributionMethod.Gradient);
                var predicted = logits.detach().argmax(1);
                figure.AddRow(Experiment.Describe(method),
                    LayerOverlays.FromTensors(split.Images, gradient.detach(), split.Labels, predicted));
            }

            var path = Path.Combine(folder, $"attribution-{protocol.Name}.png");
            figure.Save(path);
            written.Add(path);
        }

        return written;
    }
}
