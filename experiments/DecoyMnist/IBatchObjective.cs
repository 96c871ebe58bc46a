using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>The training loss of one method for one mini-batch.</summary>
public interface IBatchObjective : IDisposable
{
    /// <summary>Runs the model on the batch and returns the loss terms (each with its graph).</summary>
    BatchLoss Compute(Sequential model, DecoyBatch batch);
}

/// <summary>The loss of a batch: the total to minimise, and its parts for logging.</summary>
/// <param name="Total">Cross-entropy plus the weighted penalty.</param>
/// <param name="CrossEntropy">The cross-entropy.</param>
/// <param name="Penalty">The unweighted penalty (PAL or RRR), or null.</param>
public sealed record BatchLoss(Tensor Total, Tensor CrossEntropy, Tensor? Penalty);
