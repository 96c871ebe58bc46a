using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>
/// Cross-entropy + λ·Σ(A ⊙ ∂/∂x Σ_k log p_k)², Right for the Right Reasons (Ross et al. 2017): the peer
/// baseline.
/// By default A is the background away from the clean ink, the same privileged information PAL gets.
/// </summary>
public sealed class RightReasonsObjective : IBatchObjective
{
    private readonly RightReasonsLoss _penalty = new();
    private readonly RightReasonsSettings _settings;

    /// <summary>Creates the objective.</summary>
    public RightReasonsObjective(RightReasonsSettings settings) => _settings = settings;

    /// <inheritdoc />
    public BatchLoss Compute(Sequential model, DecoyBatch batch)
    {
        var input = batch.Images.detach().requires_grad_();
        var logits = model.call(input);
        var crossEntropy = nn.functional.cross_entropy(logits, batch.Labels);
        var gradient = PalFunctional.attribution_map(logits, input, null, AttributionMethod.Gradient,
            AttributionTarget.SumOfLogProbabilities);
        var irrelevant = _settings.Annotation == RightReasonsAnnotation.DecoyPatch
            ? batch.PatchMask
            : (PalFunctional.mask_heatmap(batch.Ink, input.shape[2], input.shape[3], _settings.Sigma) <
               _settings.Threshold).to(input.dtype);
        var penalty = _penalty.call(gradient, irrelevant);
        return new BatchLoss(crossEntropy + _settings.Lambda * penalty, crossEntropy, penalty);
    }

    /// <inheritdoc />
    public void Dispose() => _penalty.Dispose();
}
