using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Samples.DecoyMnist;

/// <summary>
/// Cross-entropy + λ·PAL: the attribution of one or more named layers is pulled towards a heatmap of where the
/// digit's ink is. The ink is privileged information: the clean digit before the decoy was pasted, known at training
/// time only. With several layers ("relu1+pool1") the penalty is the mean of their PAL terms, all attributions coming
/// from one double-backward-ready gradient call. Everything PAL-specific is a call into the package.
/// </summary>
public sealed class PalInkObjective : IBatchObjective
{
    private readonly LayerTap[] _taps;
    private readonly string[] _layers;
    private readonly MaskHeatmapPrior _prior;
    private readonly PalLoss _pal;
    private readonly PalSettings _settings;
    private long _steps;

    /// <summary>Taps the layers of <see cref="PalSettings.Layer"/> ('+'-separated) in <paramref name="model"/>.
    /// </summary>
    public PalInkObjective(Sequential model, PalSettings settings)
    {
        _layers = settings.Layer.Split('+', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        _taps = _layers.Select(layer => new LayerTap(model, layer)).ToArray();
        _prior = new MaskHeatmapPrior(settings.Sigma);
        _pal = new PalLoss(settings.Strategy, settings.Normalization);
        _settings = settings;
    }

    /// <inheritdoc />
    public BatchLoss Compute(Sequential model, DecoyBatch batch)
    {
        // Attribution at the input (an identity layer) differentiates with respect to the image itself.
        var images = _layers.Contains("input") ? batch.Images.detach().requires_grad_() : batch.Images;
        var logits = model.call(images);                                         // the hooks capture the layers
        var crossEntropy = nn.functional.cross_entropy(logits, batch.Labels);
        var attributions = PalFunctional.attribution_maps(logits, _taps.Select(t => t.TakeActivation()).ToList(),
            batch.Labels, _settings.Method, _settings.Target, _layers);          // e.g. |G| ⊙ A, second order
        var pal = attributions
            .Select(a => _pal.call(a, _prior.render(batch.Ink, a.shape[2], a.shape[3])))
            .Aggregate((sum, term) => sum + term) / attributions.Length;
        // The trainer calls this once per optimiser step, so the calls count the steps of a λ warm-up.
        return new BatchLoss(crossEntropy + _settings.LambdaAt(++_steps) * pal, crossEntropy, pal);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var tap in _taps)
        {
            tap.Dispose();
        }

        _prior.Dispose();
        _pal.Dispose();
    }
}
