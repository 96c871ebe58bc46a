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
    private readonly string[] _layers;
    private readonly PalSettings _settings;
    private readonly int _totalSteps;
    private long _steps;

    /// <summary>Taps the layers of <see cref="PalSettings.Layer"/> ('+'-separated; "input" is the image itself,
    /// <see cref="PalLayer.Input"/>) in <paramref name="model"/>, for a run of <paramref name="totalSteps"/> optimiser
    /// steps (what a λ schedule spans).</summary>
    public PalObjectiveAdapter(Sequential model, PalSettings settings, int totalSteps)
    {
        _layers = settings.Layer.Split('+', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l == "input" ? PalLayer.Input : l).ToArray();
        _prior = new MaskHeatmapPrior(settings.Sigma);
        var weight = settings.Lambda / _layers.Length;
        var layers = _layers.Select(l =>
            new PalLayer(l, weight, settings.Strategy, settings.Normalization) { SecondOrder = settings.SecondOrder });
        _objective = new PalObjective(model, layers, _prior, settings.Method, settings.Target);
        _settings = settings;
        _totalSteps = totalSteps;
    }

    /// <inheritdoc />
    public BatchLoss Compute(Sequential model, DecoyBatch batch)
    {
        // One call per optimiser step: a λ schedule sets each term's weight for this step.
        _steps++;
        if (_settings.HasSchedule)
        {
            foreach (var layer in _layers)
            {
                _objective.SetWeight(layer, _settings.LambdaAt(_steps, _totalSteps) / _layers.Length);
            }
        }

        var output = _objective.Compute(batch.Images, batch.Labels, batch.Ink);
        var pal = output.Terms.Count == 1
            ? output.Terms[0].Loss
            : output.Terms.Select(t => t.Loss).Aggregate((sum, term) => sum + term) / output.Terms.Count;
        return new BatchLoss(output.Total, output.Criterion, pal);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _objective.Dispose();
        _prior.Dispose();
    }
}
