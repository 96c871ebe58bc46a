namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>The optimisation settings shared by every model.</summary>
/// <param name="Epochs">Passes over the training split.</param>
/// <param name="BatchSize">Mini-batch size.</param>
/// <param name="LearningRate">Adam's learning rate.</param>
/// <param name="Steps">When set, train for exactly this many optimiser steps instead of <paramref name="Epochs"/>
/// passes (the last pass is cut short): small training sets then get the same optimisation as large ones.</param>
public sealed record TrainingSettings(int Epochs, int BatchSize, double LearningRate, int? Steps = null)
{
    /// <summary>The optimiser steps a training split of <paramref name="count"/> images gets.</summary>
    public int StepsFor(long count) => Steps ?? Epochs * MiniBatches.Count(count, BatchSize);

    /// <summary>The passes over a split of <paramref name="count"/> images that <see cref="StepsFor"/> needs.
    /// </summary>
    public int EpochsFor(long count) =>
        (int)Math.Ceiling(StepsFor(count) / (double)MiniBatches.Count(count, BatchSize));
}
