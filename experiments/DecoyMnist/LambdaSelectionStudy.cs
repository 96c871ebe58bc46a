using System.Globalization;
using System.Text;
using TorchSharp;

namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>
/// How <see cref="PalStrength.Choose"/>'s margin was chosen without the test digits: the validation digits of
/// small-data runs made with <c>--pal-lambda-selection validation</c> are split in two halves (even and odd
/// positions); λ (and, in runs that tried several layers, the layer) is chosen on one half and the choice is scored on
/// the other, both ways round. Reads the candidates' validation flags that small-data.json records; never the test
/// accuracies.
/// </summary>
public static class LambdaSelectionStudy
{
    /// <summary>One way of setting λ, scored on the halves it did not choose on.</summary>
    /// <param name="Rule">"margin m" or "fixed λ".</param>
    /// <param name="Gain">Scoring-half accuracy minus the plain model's on the same half, in points, over every
    /// (run, half).</param>
    /// <param name="BelowPlain">(run, half) pairs where the choice scored below plain training.</param>
    /// <param name="Worst">The lowest of those differences.</param>
    /// <param name="ChosePlain">(run, half) pairs where λ = 0 was chosen.</param>
    /// <param name="GainBySize">The mean gain per training-set size.</param>
    public sealed record Row(string Rule, MeanStd Gain, int BelowPlain, double Worst, int ChosePlain,
        IReadOnlyDictionary<int, double> GainBySize);

    /// <summary>The margins tried.</summary>
    public static readonly double[] Margins = [0, 0.5, 1, 1.5, 2];

    /// <summary>Scores every margin and every fixed λ over the PAL runs of <paramref name="results"/>.</summary>
    public static List<Row> Run(IReadOnlyList<SmallData.Result> results)
    {
        var runs = results.Where(r => r.Method == TrainingMethod.Pal && r.Candidates is { Count: > 1 }).ToList();
        if (runs.Count == 0)
        {
            throw new InvalidDataException(
                "No PAL run records its candidates: run small-data with --pal-lambda-selection validation.");
        }

        // (run, choosing half) → each (layer, λ) candidate's flags on the choosing half and on the scoring half.
        var halves = runs.SelectMany(r => new[] { 0, 1 }.Select(half => (r.Size, Flags: r.Candidates!.ToDictionary(
            c => (c.Layer, c.Lambda),
            c => (Choose: Half(c.ValidationCorrect, half), Score: Half(c.ValidationCorrect, 1 - half)))))).ToList();
        var plain = ((string?)null, 0.0);
        Row Score(string rule, Func<Dictionary<(string?, double), (bool[] Choose, bool[] Score)>,
            (string?, double)> choose)
        {
            var picks = halves.Select(h => (Pick: choose(h.Flags), Half: h.Flags, h.Size)).ToList();
            var gains = picks.Select(p => (p.Size, Gain: 100.0 *
                (Right(p.Half[p.Pick].Score) - Right(p.Half[plain].Score)) / p.Half[plain].Score.Length)).ToList();
            return new Row(rule, MeanStd.Of(gains.Select(g => g.Gain).ToList()), gains.Count(g => g.Gain < 0),
                gains.Min(g => g.Gain), picks.Count(p => p.Pick == plain),
                gains.GroupBy(g => g.Size).ToDictionary(g => g.Key, g => g.Average(x => x.Gain)));
        }

        var pal = runs[0].Candidates!.Where(c => c.Lambda > 0).ToList();
        // The choice compares like with like: every run must have tried the same (layer, λ) candidates.
        static string Tried(SmallData.Result run) => string.Join(", ", run.Candidates!.Where(c => c.Lambda > 0)
            .Select(c => FormattableString.Invariant($"λ {c.Lambda}") + (c.Layer is null ? "" : $" at {c.Layer}")));
        if (runs.FirstOrDefault(r => Tried(r) != Tried(runs[0])) is { } other)
        {
            throw new InvalidDataException(
                $"The runs tried different candidates: ({other.Size} digits, seed {other.Seed}) tried " +
                $"{Tried(other)}; the first run {Tried(runs[0])}. Study runs of one --pal-lambda-candidates and " +
                "--pal-layer-candidates.");
        }

        var layers = pal.Select(c => c.Layer).Distinct().ToList();
        var lambdas = pal.Select(c => c.Lambda).Distinct().Prepend(0).ToList();
        Row Chosen(string rule, IReadOnlyList<string?> among, double margin) => Score(rule, h =>
            LayerAndLambdaChoice.Choose(among, lambdas,
                (layer, lambda) => torch.tensor(h[lambda == 0 ? plain : (layer, lambda)].Choose), margin));
        var rows = Margins.Select(m => Chosen(FormattableString.Invariant($"chosen, margin {m} SE") +
            (layers.Count > 1 ? $", among {string.Join(", ", layers)}" : ""), layers, m)).ToList();
        // With the default margin: among the first layers only (the order the run tried them in), and at each alone.
        var margin = PalStrength.DefaultMargin;
        rows.AddRange(Enumerable.Range(2, Math.Max(0, layers.Count - 2)).Select(k => layers.Take(k).ToList())
            .Select(first => Chosen(FormattableString.Invariant(
                $"chosen, margin {margin} SE, among {string.Join(", ", first)}"), first, margin)));
        if (layers.Count > 1)
        {
            rows.AddRange(layers.Select(l =>
                Chosen(FormattableString.Invariant($"chosen, margin {margin} SE, at {l} only"), [l], margin)));
        }

        rows.AddRange(pal.Select(c => Score(FormattableString.Invariant($"fixed λ = {c.Lambda}") +
            (c.Layer is null ? "" : $" at {c.Layer}"), _ => (c.Layer, c.Lambda))));
        return rows;
    }

    /// <summary>The study as a Markdown table with the runs it read.</summary>
    public static string Markdown(IReadOnlyList<Row> rows, int runs, string commandLine)
    {
        var text = new StringBuilder();
        var sizes = rows[0].GainBySize.Keys.Order().ToList();
        Report.AppendMarkdownTable(text,
            [
                "how λ is set", "scoring half − plain (points)",
                $"by size ({string.Join(" / ", sizes.Select(n => n.ToString("N0", CultureInfo.InvariantCulture)))})",
                "pairs below plain", "worst", "pairs choosing plain",
            ],
            rows.Select(r => new[]
            {
                r.Rule, r.Gain.FormatCi(signed: true),
                string.Join(" / ", sizes.Select(n => r.GainBySize[n].ToString("+0.00;-0.00;0.00",
                    CultureInfo.InvariantCulture))),
                $"{r.BelowPlain} of {r.Gain.Count}",
                r.Worst.ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture),
                $"{r.ChosePlain} of {r.Gain.Count}",
            }));
        text.AppendLine();
        text.AppendLine($"* Command: `{commandLine}`");
        text.AppendLine($"* {runs} PAL runs (seed, size, digits), each twice: λ chosen on the even-position " +
                        "validation digits and scored on the odd ones, and the other way round. ± is the half-width " +
                        "of the 95 % confidence interval over those pairs (which are not independent: an indication).");
        return text.ToString();
    }

    private static bool[] Half(string flags, int half) =>
        flags.Where((_, i) => i % 2 == half).Select(c => c == '1').ToArray();

    private static int Right(bool[] flags) => flags.Count(f => f);
}
