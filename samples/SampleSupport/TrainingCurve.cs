namespace PrivilegedAttribution.Samples;

/// <summary>One epoch of a training run, scored at its end.</summary>
/// <param name="Epoch">Counted from 1.</param>
/// <param name="TrainCrossEntropy">Mean cross-entropy of the epoch's training steps (train mode, as optimised).
/// </param>
/// <param name="ValidationCrossEntropy">Mean cross-entropy on the validation split (eval mode).</param>
/// <param name="ValidationAccuracy">% of the validation split classified correctly.</param>
public sealed record EpochScores(int Epoch, double TrainCrossEntropy, double ValidationCrossEntropy,
    double ValidationAccuracy);

/// <summary>A training run's scores per epoch, for <see cref="TrainingCurvePlot"/>.</summary>
/// <param name="Name">The run's name in the legend, e.g. "plain" or "PAL".</param>
public sealed record TrainingCurve(string Name)
{
    private readonly List<EpochScores> _epochs = [];

    /// <summary>The epochs scored so far, in order.</summary>
    public IReadOnlyList<EpochScores> Epochs => _epochs;

    /// <summary>Appends an epoch's scores (and returns them, for printing).</summary>
    public EpochScores Add(EpochScores scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        _epochs.Add(scores);
        return scores;
    }
}
