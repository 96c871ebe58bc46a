using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>The plain loop: cross-entropy only (the clean and the unpenalised models).</summary>
public sealed class CrossEntropyObjective : IBatchObjective
{
    /// <inheritdoc />
    public BatchLoss Compute(Sequential model, DecoyBatch batch)
    {
        var crossEntropy = nn.functional.cross_entropy(model.call(batch.Images), batch.Labels);
        return new BatchLoss(crossEntropy, crossEntropy, null);
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
