using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>The small-data protocol's table (printed, Markdown, JSON) and the reading back of its JSON files.
/// </summary>
public static class SmallDataReport
{
    /// <summary>One row per (size, method): each measure's mean, standard deviation and 95 % confidence interval
    /// over seeds; <paramref name="TestGain"/> compares the model with the plain model of the same seed and subset
    /// (paired differences, their interval and a paired t-test; null for the plain model), and
    /// <paramref name="TestVersusPal"/> with PAL the same way (null for PAL, or where PAL was not trained).</summary>
    public sealed record Row(int Size, TrainingMethod Method, MeanStd Test, PairedComparison? TestGain,
        MeanStd Validation, MeanStd InkShare, MeanStd InkCorrelation, int Steps, MeanStd SecondsPerEpoch,
        PairedComparison? TestVersusPal = null);

    /// <summary>Aggregates <paramref name="results"/>.</summary>
    public static List<Row> Rows(IReadOnlyList<SmallData.Result> results)
    {
        Dictionary<(int Size, int Seed), double> AccuracyOf(TrainingMethod method) => results
            .Where(r => r.Method == method).ToDictionary(r => (r.Size, r.Seed), r => r.TestAccuracy);
        var (plain, pal) = (AccuracyOf(TrainingMethod.Unpenalised), AccuracyOf(TrainingMethod.Pal));
        PairedComparison? Versus(Dictionary<(int, int), double> other, IEnumerable<SmallData.Result> runs)
        {
            var paired = runs.Where(r => other.ContainsKey((r.Size, r.Seed))).OrderBy(r => r.Seed).ToList();
            return paired.Count == 0
                ? null
                : PairedComparison.Of(paired.Select(r => r.TestAccuracy).ToList(),
                    paired.Select(r => other[(r.Size, r.Seed)]).ToList());
        }

        return results.GroupBy(r => (r.Size, r.Method)).OrderBy(g => g.Key.Size).ThenBy(g => g.Key.Method)
            .Select(g => new Row(g.Key.Size, g.Key.Method,
                MeanStd.Of(g.Select(r => r.TestAccuracy).ToList()),
                g.Key.Method == TrainingMethod.Unpenalised ? null : Versus(plain, g),
                MeanStd.Of(g.Select(r => r.ValidationAccuracy).ToList()),
                MeanStd.Of(g.Select(r => r.TestAgreement.InkShare).ToList()),
                MeanStd.Of(g.Select(r => r.TestAgreement.InkCorrelation).ToList()),
                g.Max(r => r.Steps),
                MeanStd.Of(g.Select(r => r.SecondsPerEpoch).ToList()),
                g.Key.Method == TrainingMethod.Pal ? null : Versus(pal, g)))
            .ToList();
    }

    private static readonly string[] Columns =
    [
        "training digits", "model", "clean test %", "test − plain (paired)", "p", "test − PAL (paired)", "p",
        "validation %",
        "on ink %", "ink r", "steps", "seeds",
    ];

    private static string[] Cells(Row row) =>
    [
        row.Size.ToString("N0", CultureInfo.InvariantCulture), SmallData.Describe(row.Method), row.Test.FormatCi(),
        row.TestGain?.Difference.FormatCi(signed: true) ?? "", row.TestGain?.FormatP() ?? "",
        row.TestVersusPal?.Difference.FormatCi(signed: true) ?? "", row.TestVersusPal?.FormatP() ?? "",
        row.Validation.FormatCi(), row.InkShare.FormatCi("F1"), row.InkCorrelation.FormatCi("F3"),
        row.Steps.ToString(CultureInfo.InvariantCulture), row.Test.Count.ToString(CultureInfo.InvariantCulture),
    ];

    /// <summary>Prints the table to the console.</summary>
    public static void Print(IReadOnlyList<Row> rows)
    {
        var table = Report.ConsoleTable("Small clean training sets: accuracy on the clean test digits", Columns,
                rows.Select(Cells))
            .Caption("mean ± half-width of the 95 % confidence interval over seeds (Student's t); p: two-sided " +
                     "paired t-test against plain training, and against PAL");
        AnsiConsole.Write(table);
    }

    /// <summary>Writes small-data.md and small-data.json into <paramref name="folder"/>; returns the lines that
    /// describe the run (also printed by the caller). <paramref name="clutter"/> names the setting the runs were made
    /// in (null: clean digits).</summary>
    /// <param name="merged">For a report of merged runs: the machines and wall time of the runs themselves
    /// (<see cref="ReadProvenance"/>), not those of the merge.</param>
    public static IReadOnlyList<string> Write(string folder, ExperimentSettings settings, ExperimentData data,
        IReadOnlyList<SmallData.Result> results, int minimumSteps, TimeSpan wallTime, string commandLine,
        Clutter? clutter = null, RunProvenance? merged = null, SmallData.LambdaSelection? selection = null)
    {
        var kind = Digits(clutter);
        Directory.CreateDirectory(folder);
        var rows = Rows(results);
        var description = new List<string>
        {
            $"Command: `{commandLine}`",
            $"Data: {data.Source}; training subsets drawn class-stratified (a different draw per seed, shared by " +
            $"the models of a seed) from the {data.Train.Count:N0} training digits; scored on the " +
            $"{data.Validation.Count:N0} validation and {data.Test.Count:N0} test digits; no decoy; digits {kind}.",
            FormattableString.Invariant(
                $"Optimisation: Adam lr {settings.Training.LearningRate}, batch {settings.Training.BatchSize}, ") +
            $"{settings.Training.Epochs} epochs but at least {minimumSteps} optimiser steps (column steps); " +
            $"seeds {string.Join(", ", results.Select(r => r.Seed).Distinct().Order())}.",
            $"PAL: {settings.Pal}{LambdaNote(selection, results)}. RRR: {settings.RightReasons}." +
            (settings.VariantsDescription.Length == 0 ? "" : $" PAL's variants: {settings.VariantsDescription}."),
            "on ink % / ink r: share of |∂ s_y/∂x| (true class) on the test digit's ink / its Pearson correlation " +
            FormattableString.Invariant($"with the ink heatmap (σ = {settings.Pal.Sigma}). ") +
            "test − plain / test − PAL: paired difference to the plain model / to PAL of the same seed and subset; " +
            "p: two-sided paired t-test over seeds. ± is the half-width of the 95 % confidence interval of the mean " +
            "over seeds (Student's t, n − 1 degrees of freedom; none with one seed).",
            merged is null
                ? $"Machine: {Report.Machine(settings.Threads)}. Wall time: " +
                  FormattableString.Invariant($"{wallTime.TotalMinutes:F1} min.")
                : merged.Describe(),
        };
        var markdown = new StringBuilder();
        Report.AppendMarkdownTable(markdown, Columns, rows.Select(Cells));

        markdown.AppendLine();
        foreach (var line in description)
        {
            markdown.AppendLine($"* {line}");
        }

        File.WriteAllText(Path.Combine(folder, "small-data.md"), markdown.ToString());
        var json = new
        {
            command = commandLine,
            machine = merged?.Machine ?? Report.Machine(settings.Threads),
            training = settings.Training,
            minimumSteps,
            confidenceLevel = MeanStd.ConfidenceLevel,
            pal = settings.Pal.ToString(),
            lambdaSelection = selection,
            rightReasons = settings.RightReasons.ToString(),
            variants = settings.VariantSettings,
            data = Report.DataJson(data),
            digits = kind,
            wallTimeSeconds = Math.Round((merged?.WallTime ?? wallTime).TotalSeconds, 1),
            summary = rows,
            runs = results,
        };
        File.WriteAllText(Path.Combine(folder, "small-data.json"), JsonSerializer.Serialize(json, Report.Json));
        return description;
    }

    /// <summary>The runs stored in small-data.json files written by <see cref="Write"/> (to merge runs that were
    /// made in separate processes, e.g. one per core).</summary>
    public static List<SmallData.Result> Read(IEnumerable<string> paths)
    {
        var results = paths.SelectMany(path =>
            {
                using var document = JsonDocument.Parse(File.ReadAllText(path));
                return document.RootElement.GetProperty("runs").Deserialize<List<SmallData.Result>>(Report.Json)
                       ?? throw new InvalidDataException($"{path} has no runs.");
            })
            .ToList();
        var repeated = results.GroupBy(r => (r.Size, r.Method, r.Seed)).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
        {
            throw new InvalidDataException($"The files hold {repeated.Key} more than once; merge disjoint runs " +
                                           "(different --sizes or seeds).");
        }

        return results;
    }

    /// <summary>Where and how long the runs in small-data.json files were made (<see cref="RunProvenance"/>), after
    /// checking that they were made with the settings the merged report will print: PAL, RRR, the minimum steps and,
    /// in files that store them (written since 2026-12-01), the data and the clutter.</summary>
    /// <exception cref="InvalidDataException">A file's runs were made with other settings or data.</exception>
    public static RunProvenance ReadProvenance(IEnumerable<string> paths, ExperimentSettings settings, int minimumSteps,
        ExperimentData data, Clutter? clutter, SmallData.LambdaSelection? selection)
    {
        var label = (Pal: settings.Pal.ToString(), RightReasons: settings.RightReasons.ToString(), minimumSteps);
        var labelData = JsonSerializer.SerializeToNode(Report.DataJson(data), Report.Json);
        return RunProvenance.Read(paths, root =>
        {
            var ran = (Pal: root.GetProperty("pal").GetString(), RightReasons: root.GetProperty("rightReasons")
                .GetString(), MinimumSteps: root.GetProperty("minimumSteps").GetInt32());
            if (ran != label)
            {
                return $"its runs were made with PAL: {ran.Pal}; RRR: {ran.RightReasons}; at least " +
                       $"{ran.MinimumSteps} steps, but this merge would label them PAL: {label.Pal}; RRR: " +
                       $"{label.RightReasons}; at least {label.minimumSteps} steps";
            }

            var ranSelection = Describe(root.TryGetProperty("lambdaSelection", out var s)
                ? s.Deserialize<SmallData.LambdaSelection>(Report.Json)
                : null);
            var labelSelection = Describe(selection);
            if (ranSelection != labelSelection)
            {
                return $"its PAL λ selection was {ranSelection}, but this merge would label it {labelSelection} " +
                       "(--pal-lambda-selection, --pal-lambda-candidates, --pal-lambda-margin)";
            }

            // Files written since the variants were added also say their settings.
            if (root.TryGetProperty("variants", out var variants) && settings.VariantMismatch(variants) is { } why)
            {
                return why;
            }

            if (root.TryGetProperty("digits", out var digits) && digits.GetString() != Digits(clutter))
            {
                return $"its runs were made on digits {digits.GetString()}, but this merge would label them " +
                       $"{Digits(clutter)} (--clutter)";
            }

            return root.TryGetProperty("data", out var ranData)
                   && !JsonNode.DeepEquals(JsonNode.Parse(ranData.GetRawText()), labelData)
                ? $"its runs were made on the data {ranData.GetRawText()}, but this merge would label them " +
                  $"{labelData?.ToJsonString()} (the data options)"
                : null;
        });
    }

    // How PAL's λ was set, in a merge's refusal.
    private static string Describe(SmallData.LambdaSelection? selection) => selection is null
        ? "fixed"
        : $"chosen on validation among {Listed(selection.Candidates)}" + LayersNote(selection) +
          FormattableString.Invariant($" with a margin of {selection.Margin} SE");

    // How PAL's λ was set when it was chosen on validation, and what was chosen per size (over seeds).
    private static string LambdaNote(SmallData.LambdaSelection? selection, IReadOnlyList<SmallData.Result> results)
    {
        if (selection is null)
        {
            return "";
        }

        var chosen = results.Where(r => r.Method == TrainingMethod.Pal).GroupBy(r => r.Size).OrderBy(g => g.Key)
            .Select(g => $"{g.Key:N0} digits: " + (selection.Layers is null
                ? Listed(g.OrderBy(r => r.Seed).Select(r => r.Lambda ?? 0))
                : string.Join(", ", g.OrderBy(r => r.Seed).Select(r => r.Layer is null
                    ? "0"
                    : FormattableString.Invariant($"{r.Layer} {r.Lambda}")))))
            .ToList();
        return $"; its λ chosen per seed and size on the validation digits among {Listed(selection.Candidates)}" +
               LayersNote(selection) +
               FormattableString.Invariant($" (PalStrength.Choose, margin {selection.Margin} SE; 0: the plain ") +
               "model's)" + (chosen.Count == 0 ? "" : $": {string.Join("; ", chosen)}");
    }

    // The layers a selection tried, when it tried more than PAL's own.
    private static string LayersNote(SmallData.LambdaSelection selection) => selection.Layers is null
        ? ""
        : $" at each of the layers {string.Join(", ", selection.Layers)}";

    // λ values as the report lists them: "0, 1, 3, 10".
    private static string Listed(IEnumerable<double> lambdas) =>
        string.Join(", ", lambdas.Select(l => l.ToString(CultureInfo.InvariantCulture)));

    // The digits' kind, as the report words it and small-data.json stores it.
    private static string Digits(Clutter? clutter) => clutter is null
        ? "clean"
        : $"cluttered ({clutter.Fragments} fragments of {clutter.FragmentSize}×{clutter.FragmentSize} pixels from " +
          "other digits of the same split on every image)";
}
