namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>A fixed, class-stratified partition of a labelled set: every part keeps the class proportions.</summary>
/// <param name="Train">Indices used for training.</param>
/// <param name="Validation">Held out from training, for choosing hyper-parameters.</param>
/// <param name="Test">Held out from everything until the final evaluation.</param>
public sealed record StratifiedSplit(int[] Train, int[] Validation, int[] Test)
{
    /// <summary>Splits each class by the given fractions after a shuffle fixed by <paramref name="seed"/>.</summary>
    public static StratifiedSplit Create(IReadOnlyList<int> labels, double validationFraction, double testFraction,
        int seed)
    {
        var random = new Random(seed);
        var (train, validation, test) = (new List<int>(), new List<int>(), new List<int>());
        foreach (var group in Enumerable.Range(0, labels.Count).GroupBy(i => labels[i]).OrderBy(g => g.Key))
        {
            var members = group.ToArray();
            random.Shuffle(members);
            var testCount = (int)Math.Round(members.Length * testFraction);
            var validationCount = (int)Math.Round(members.Length * validationFraction);
            test.AddRange(members[..testCount]);
            validation.AddRange(members[testCount..(testCount + validationCount)]);
            train.AddRange(members[(testCount + validationCount)..]);
        }

        return new StratifiedSplit(train.Order().ToArray(), validation.Order().ToArray(), test.Order().ToArray());
    }

    /// <summary>A class-stratified subsample of at most <paramref name="count"/> of <paramref name="indices"/>.
    /// </summary>
    public static int[] Subsample(IReadOnlyList<int> indices, IReadOnlyList<int> labels, int count, int seed)
    {
        if (count >= indices.Count)
        {
            return indices.ToArray();
        }

        var random = new Random(seed);
        var fraction = (double)count / indices.Count;
        return indices.GroupBy(i => labels[i]).OrderBy(g => g.Key)
            .SelectMany(g =>
            {
                var members = g.ToArray();
                random.Shuffle(members);
                return members.Take(Math.Max(1, (int)Math.Round(members.Length * fraction)));
            })
            .Order().ToArray();
    }
}
