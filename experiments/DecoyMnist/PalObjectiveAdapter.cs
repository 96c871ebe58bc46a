using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>
/// Cross-entropy + λ·PAL through the package's <see cref="PalObjective"/>, with the digit's ink as the privileged
/// mask (<see cref="MaskHeatmapPrior"/>): the clean digit before the decoy was pasted, known at training time only.
/// With several layers ("relu1+pool1") each gets λ/n, so the penalty is the mean of their PAL terms. This class only
/// adapts the package's objective to the experiment's <see cref="IBatchObjective"/>.
/// </summary>
public sealed class PalObjectiveAdapter : IBatchObjective
{
    private readonly MaskHeatmapPrior _prior;
    private readonly PalObjective _objective;
    private readonly bool _attributesInput;
    private readonly PalSettings _settings;
    private long _steps;

    /// <summary>Taps the layers of <see cref="PalSettings.Layer"/> ('+'-separated) in <paramref name="model"/>.
    /// </summary>
    public PalObjectiveAdapter(Sequential model, PalSettings settings)
    {
        var layers = settings.Layer.Split('+', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        _prior = new MaskHeatmapPrior(settings.Sigma);
        _objective = new PalObjective(model,
            layers.Select(l => new PalLayer(l, settings.Lambda / layers.Length, settings.Strategy,
                settings.Normalization)),
            _prior, settings.Method, settings.Target);
        _attributesInput = layers.Contains("input");
        _settings = settings;
    }

    /// <inheritdoc />
    public BatchLoss Compute(Sequential model, DecoyBatch batch)
    {
        // Attribution at the input (an identity layer) differentiates with respect to the image itself.
        var images = _attributesInput ? batch.Images.detach().requires_grad_() : batch.Images;
        var output = _objective.Compute(images, batch.Labels, batch.Ink);
        var pal = output.Terms.Count == 1
            ? output.Terms[0].Loss
            : output.Terms.Select(t => t.Loss).Aggregate((sum, term) => sum + term) / output.Terms.Count;
        // One call per optimiser step: a λ schedule scales the mean PAL term; without one the objective's own total.
        _steps++;
        var total = _settings.HasSchedule ? output.CrossEntropy + _settings.LambdaAt(_steps) * pal : output.Total;
        return new BatchLoss(total, output.CrossEntropy, pal);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _objective.Dispose();
        _prior.Dispose();
    }
}
