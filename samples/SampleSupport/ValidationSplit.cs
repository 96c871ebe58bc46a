namespace PrivilegedAttribution.Samples;

/// <summary>Holds a class-stratified share of a training set out for validation (per-epoch curves, the choice of
/// settings), and never less than one image while at least two remain.</summary>
public static class ValidationSplit
{
    /// <summary>Rows of <paramref name="labels"/> to train on and to validate on, disjoint.</summary>
    /// <param name="labels">The class of each training image.</param>
    /// <param name="fraction">Share of each class held out, in [0, 1).</param>
    /// <param name="seed">Fixes the draw.</param>
    public static (int[] Train, int[] Validation) Create(IReadOnlyList<int> labels, double fraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (fraction is < 0 or >= 1 || double.IsNaN(fraction))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "Must lie in [0, 1).");
        }

        var split = StratifiedSplit.Create(labels, validationFraction: fraction, testFraction: 0, seed);
        if (fraction == 0 || split.Validation.Length > 0 || split.Train.Length < 2)
        {
            return (split.Train, split.Validation);
        }

        // Too few images for the share to round to one: hold out one drawn from the training rows.
        var held = split.Train[new Random(seed).Next(split.Train.Length)];
        return (split.Train.Where(row => row != held).ToArray(), [held]);
    }
}
