using System.Globalization;
using System.Text;
using System.Text.Json;
using Spectre.Console;

namespace PrivilegedAttribution.Samples.DecoyMnist;

/// <summary>The small-data protocol's table (printed, Markdown, JSON) and the reading back of its JSON files.
/// </summary>
public static class SmallDataReport
{
    /// <summary>One row per (size, method), mean ± std over seeds; <paramref name="TestGain"/> is the paired
    /// difference to the plain model of the same seed and subset (absent for the plain model).</summary>
    public sealed record Row(int Size, TrainingMethod Method, MeanStd Test, MeanStd TestGain, MeanStd Validation,
        MeanStd InkShare, MeanStd InkCorrelation, int Steps, MeanStd SecondsPerEpoch);

    /// <summary>Aggregates <paramref name="results"/>.</summary>
    public static List<Row> Rows(IReadOnlyList<SmallData.Result> results)
    {
        var plain = results.Where(r => r.Method == TrainingMethod.Unpenalised)
            .ToDictionary(r => (r.Size, r.Seed), r => r.TestAccuracy);
        return results.GroupBy(r => (r.Size, r.Method)).OrderBy(g => g.Key.Size).ThenBy(g => g.Key.Method)
            .Select(g => new Row(g.Key.Size, g.Key.Method,
                MeanStd.Of(g.Select(r => r.TestAccuracy).ToList()),
                MeanStd.Of(g.Key.Method == TrainingMethod.Unpenalised
                    ? []
                    : g.Where(r => plain.ContainsKey((r.Size, r.Seed)))
                        .Select(r => r.TestAccuracy - plain[(r.Size, r.Seed)]).ToList()),
                MeanStd.Of(g.Select(r => r.ValidationAccuracy).ToList()),
                MeanStd.Of(g.Select(r => r.TestAgreement.InkShare).ToList()),
                MeanStd.Of(g.Select(r => r.TestAgreement.InkCorrelation).ToList()),
                g.Max(r => r.Steps),
                MeanStd.Of(g.Select(r => r.SecondsPerEpoch).ToList())))
            .ToList();
    }

    private static readonly string[] Columns =
    [
        "training digits", "model", "clean test % (mean ± std)", "test − plain (paired)", "validation %",
        "on ink %", "ink r", "steps", "seeds",
    ];

    private static string[] Cells(Row row) =>
    [
        row.Size.ToString("N0", CultureInfo.InvariantCulture), SmallData.Describe(row.Method), row.Test.Format(),
        row.TestGain.Count == 0 ? "" : Signed(row.TestGain), row.Validation.Format(), row.InkShare.Format("F1"),
        row.InkCorrelation.Format("F3"), row.Steps.ToString(CultureInfo.InvariantCulture),
        row.Test.Count.ToString(CultureInfo.InvariantCulture),
    ];

    private static string Signed(MeanStd value) =>
        (value.Mean >= 0 ? "+" : "") + value.Format();

    /// <summary>Prints the table to the console.</summary>
    public static void Print(IReadOnlyList<Row> rows)
    {
        var table = new Table().Title("Small clean training sets: accuracy on the clean test digits");
        foreach (var column in Columns)
        {
            table.AddColumn(column);
        }

        foreach (var row in rows)
        {
            table.AddRow(Cells(row).Select(Markup.Escape).ToArray());
        }

        AnsiConsole.Write(table);
    }

    /// <summary>Writes small-data.md and small-data.json into <paramref name="folder"/>; returns the lines that
    /// describe the run (also printed by the caller).</summary>
    public static IReadOnlyList<string> Write(string folder, ExperimentSettings settings, ExperimentData data,
        IReadOnlyList<SmallData.Result> results, int minimumSteps, TimeSpan wallTime, string commandLine)
    {
        Directory.CreateDirectory(folder);
        var rows = Rows(results);
        var description = new List<string>
        {
            $"Command: `{commandLine}`",
            $"Data: {data.Source}; training subsets drawn class-stratified (a different draw per seed, shared by " +
            $"the models of a seed) from the {data.Train.Count:N0} clean training digits; scored on the " +
            $"{data.Validation.Count:N0} clean validation and {data.Test.Count:N0} clean test digits (no decoy).",
            FormattableString.Invariant(
                $"Optimisation: Adam lr {settings.Training.LearningRate}, batch {settings.Training.BatchSize}, ") +
            $"{settings.Training.Epochs} epochs but at least {minimumSteps} optimiser steps (column steps); " +
            $"seeds {string.Join(", ", results.Select(r => r.Seed).Distinct().Order())}.",
            $"PAL: {settings.Pal}. RRR: {settings.RightReasons}.",
            "on ink % / ink r: share of |∂ s_y/∂x| (true class) on the test digit's ink / its Pearson correlation " +
            FormattableString.Invariant($"with the ink heatmap (σ = {settings.Pal.Sigma}). ") +
            "test − plain: paired difference to the plain model of the same seed and subset.",
            $"Machine: {Report.Machine(settings.Threads)}. Wall time: " +
            FormattableString.Invariant($"{wallTime.TotalMinutes:F1} min."),
        };
        var markdown = new StringBuilder();
        markdown.AppendLine("| " + string.Join(" | ", Columns) + " |");
        markdown.AppendLine("|" + string.Concat(Columns.Select(_ => "---|")));
        foreach (var row in rows)
        {
            markdown.AppendLine("| " + string.Join(" | ", Cells(row)) + " |");
        }

        markdown.AppendLine();
        foreach (var line in description)
        {
            markdown.AppendLine($"* {line}");
        }

        File.WriteAllText(Path.Combine(folder, "small-data.md"), markdown.ToString());
        var json = new
        {
            command = commandLine,
            machine = Report.Machine(settings.Threads),
            training = settings.Training,
            minimumSteps,
            pal = settings.Pal.ToString(),
            rightReasons = settings.RightReasons.ToString(),
            wallTimeSeconds = Math.Round(wallTime.TotalSeconds, 1),
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
}
