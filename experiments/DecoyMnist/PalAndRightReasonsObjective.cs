using TorchSharp.Modules;

namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>
/// Cross-entropy + λ_PAL·PAL + λ_RRR·RRR: PAL's heatmap prior at a layer and the input-gradient penalty away from the
/// ink, both from the same privileged information. Not in the PAL paper: tried against PAL's residual sensitivity to
/// the decoy, which the input-gradient penalty targets directly. Each part is the experiment's own objective; the batch
/// runs through the model twice (once per part), and the cross-entropy is counted once.
/// </summary>
public sealed class PalAndRightReasonsObjective : IBatchObjective
{
    private readonly PalObjectiveAdapter _pal;
    private readonly RightReasonsObjective _rightReasons;
    private readonly double _rightReasonsLambda;

    /// <summary>Taps <paramref name="model"/> for PAL as <see cref="PalObjectiveAdapter"/> does.</summary>
    public PalAndRightReasonsObjective(Sequential model, PalSettings pal, RightReasonsSettings rightReasons,
        int totalSteps)
    {
        _pal = new PalObjectiveAdapter(model, pal, totalSteps);
        _rightReasons = new RightReasonsObjective(rightReasons);
        _rightReasonsLambda = rightReasons.Lambda;
    }

    /// <inheritdoc />
    public BatchLoss Compute(Sequential model, DecoyBatch batch)
    {
        var pal = _pal.Compute(model, batch);
        var rightReasons = _rightReasons.Compute(model, batch);
        return new BatchLoss(pal.Total + _rightReasonsLambda * rightReasons.Penalty!, pal.CrossEntropy,
            pal.Penalty! + rightReasons.Penalty!);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _pal.Dispose();
        _rightReasons.Dispose();
    }
}
