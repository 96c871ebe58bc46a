namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>PAL against one other model under one protocol, paired over the seeds both were trained with (the models
/// of a seed share the data split, the initialisation seed and the batch order).</summary>
/// <param name="Protocol">The decoy protocol of the evaluation.</param>
/// <param name="Baseline">The model PAL is compared with.</param>
/// <param name="Test">PAL − baseline, test accuracy (percentage points).</param>
/// <param name="CleanTest">PAL − baseline, accuracy on the clean test digits (percentage points).</param>
public sealed record PalVersusBaseline(string Protocol, TrainingMethod Baseline, PairedComparison Test,
    PairedComparison CleanTest)
{
    /// <summary>The comparisons of PAL with every other model of each protocol in <paramref name="runs"/>, in the
    /// order protocol, then model; empty where PAL was not trained.</summary>
    public static List<PalVersusBaseline> Of(IEnumerable<RunResult> runs) => runs
        .GroupBy(r => r.Protocol)
        .SelectMany(protocol =>
        {
            var pal = protocol.Where(r => r.Method == TrainingMethod.Pal).ToDictionary(r => r.Seed);
            return protocol.Where(r => r.Method != TrainingMethod.Pal && pal.ContainsKey(r.Seed))
                .GroupBy(r => r.Method)
                .OrderBy(baseline => baseline.Key)
                .Select(baseline =>
                {
                    var pairs = baseline.OrderBy(r => r.Seed).Select(r => (Pal: pal[r.Seed], Baseline: r)).ToList();
                    return new PalVersusBaseline(protocol.Key, baseline.Key,
                        Compare(pairs, r => r.TestAccuracy), Compare(pairs, r => r.CleanTestAccuracy));
                });
        })
        .ToList();

    private static PairedComparison Compare(IReadOnlyList<(RunResult Pal, RunResult Baseline)> pairs,
        Func<RunResult, double?> measure)
    {
        var scored = pairs.Where(p => measure(p.Pal) is not null && measure(p.Baseline) is not null).ToList();
        return PairedComparison.Of(scored.Select(p => measure(p.Pal)!.Value).ToList(),
            scored.Select(p => measure(p.Baseline)!.Value).ToList());
    }
}
