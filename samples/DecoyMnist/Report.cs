using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace PrivilegedAttribution.Samples.DecoyMnist;

/// <summary>The experiment's table: printed, and written as Markdown and JSON.</summary>
public static class Report
{
    /// <summary>How the sample's JSON files are written and read: indented, enums as names, NaN allowed.</summary>
    public static JsonSerializerOptions Json { get; } = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        PropertyNameCaseInsensitive = true,
    };

    /// <summary>One row per (protocol, method): mean ± std over seeds.</summary>
    /// <remarks>The last three: where the models look on the test split (<see cref="AttributionAgreement"/>).
    /// </remarks>
    public sealed record Row(string Protocol, string Method, MeanStd Test, MeanStd Validation, MeanStd CleanTest,
        MeanStd SecondsPerEpoch, MeanStd DecoyShare, MeanStd InkShare, MeanStd InkCorrelation);

    /// <summary>Aggregates <paramref name="results"/>.</summary>
    public static List<Row> Rows(IEnumerable<RunResult> results) => results
        .GroupBy(r => (r.Protocol, r.Method))
        .OrderBy(g => g.Key.Protocol == "cdep" ? 0 : 1).ThenBy(g => g.Key.Method)
        .Select(g => new Row(g.Key.Protocol, Experiment.Describe(g.Key.Method),
            MeanStd.Of(g.Where(r => r.TestAccuracy is not null).Select(r => r.TestAccuracy!.Value).ToList()),
            MeanStd.Of(g.Select(r => r.ValidationAccuracy).ToList()),
            MeanStd.Of(g.Where(r => r.CleanTestAccuracy is not null).Select(r => r.CleanTestAccuracy!.Value).ToList()),
            MeanStd.Of(g.Select(r => r.SecondsPerEpoch).ToList()),
            Agreement(g, a => a.DecoyShare), Agreement(g, a => a.InkShare), Agreement(g, a => a.InkCorrelation)))
        .ToList();

    private static MeanStd Agreement(IEnumerable<RunResult> runs, Func<AttributionAgreement, double> measure) =>
        MeanStd.Of(runs.Where(r => r.TestAgreement is not null).Select(r => measure(r.TestAgreement!)).ToList());

    /// <summary>Prints the table to the console.</summary>
    public static void Print(IReadOnlyList<Row> rows, string title)
    {
        var table = new Table().Title(Markup.Escape(title));
        string[] columns =
        [
            "protocol", "model", "test accuracy %", "validation %", "clean test %", "s / epoch", "on decoy %",
            "on ink %", "ink r",
        ];
        foreach (var column in columns)
        {
            table.AddColumn(column);
        }

        foreach (var row in rows)
        {
            table.AddRow(row.Protocol, Markup.Escape(row.Method), row.Test.Format(), row.Validation.Format(),
                row.CleanTest.Format(), row.SecondsPerEpoch.Format("F1"), row.DecoyShare.Format("F1"),
                row.InkShare.Format("F1"), row.InkCorrelation.Format("F3"));
        }

        AnsiConsole.Write(table);
    }

    /// <summary>Writes results.md and results.json into <paramref name="folder"/>.</summary>
    public static void Write(string folder, ExperimentSettings settings, ExperimentData data,
        IReadOnlyList<RunResult> results, TimeSpan wallTime, string commandLine)
    {
        Directory.CreateDirectory(folder);
        var rows = Rows(results);
        var markdown = new StringBuilder();
        markdown.AppendLine(
            "| protocol | model | test accuracy % (mean ± std) | validation % | clean test % | s / epoch | " +
            "on decoy % | on ink % | ink r |");
        markdown.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            markdown.AppendLine($"| {row.Protocol} | {row.Method} | {row.Test.Format()} | " +
                                $"{row.Validation.Format()} | " +
                                $"{row.CleanTest.Format()} | {row.SecondsPerEpoch.Format("F1")} | " +
                                $"{row.DecoyShare.Format("F1")} | {row.InkShare.Format("F1")} | " +
                                $"{row.InkCorrelation.Format("F3")} |");
        }

        markdown.AppendLine();
        foreach (var line in Describe(settings, data, wallTime, commandLine))
        {
            markdown.AppendLine($"* {line}");
        }

        File.WriteAllText(Path.Combine(folder, "results.md"), markdown.ToString());
        var json = new
        {
            command = commandLine,
            machine = Machine(settings.Threads),
            data = new
            {
                source = data.Source, train = data.Train.Count, validation = data.Validation.Count,
                test = data.Test.Count,
            },
            protocols = settings.Protocols.Select(p => new { p.Name, p.PatchSize, p.Description }),
            training = settings.Training,
            seeds = settings.Seeds,
            pal = new
            {
                settings.Pal.Layer, settings.Pal.Lambda, strategy = settings.Pal.Strategy.ToString(),
                settings.Pal.Sigma, settings.Pal.Target,
            },
            rightReasons = settings.RightReasons,
            wallTimeSeconds = Math.Round(wallTime.TotalSeconds, 1),
            summary = rows.Select(r => new
            {
                r.Protocol, model = r.Method, testMean = r.Test.Mean, testStd = r.Test.Std,
                validationMean = r.Validation.Mean, validationStd = r.Validation.Std,
                cleanTestMean = r.CleanTest.Mean, cleanTestStd = r.CleanTest.Std,
                secondsPerEpoch = r.SecondsPerEpoch.Mean, seeds = r.Test.Count,
                decoySharePercentMean = r.DecoyShare.Mean, decoySharePercentStd = r.DecoyShare.Std,
                inkSharePercentMean = r.InkShare.Mean, inkSharePercentStd = r.InkShare.Std,
                inkCorrelationMean = r.InkCorrelation.Mean, inkCorrelationStd = r.InkCorrelation.Std,
            }),
            runs = results,
        };
        File.WriteAllText(Path.Combine(folder, "results.json"), JsonSerializer.Serialize(json, Json));
    }

    /// <summary>The settings, in words, for the Markdown file and the console.</summary>
    public static IEnumerable<string> Describe(ExperimentSettings settings, ExperimentData data, TimeSpan wallTime,
        string commandLine)
    {
        yield return $"Command: `{commandLine}`";
        yield return $"Data: {data.Source}; stratified split {data.Train.Count:N0} train / " +
                     $"{data.Validation.Count:N0} validation / {data.Test.Count:N0} test.";
        foreach (var protocol in settings.Protocols)
        {
            yield return $"Protocol `{protocol.Name}`: {protocol.Description}.";
        }

        yield return "Validation: held-out training digits whose decoy grey level is that of a random class " +
                     "(uninformative); the test split is never used for choices.";
        yield return "Model: SmallCnn (conv16-pool-conv32-pool-fc128-fc10); " +
                     FormattableString.Invariant(
                         $"Adam lr {settings.Training.LearningRate}, batch {settings.Training.BatchSize}, ") +
                     $"{settings.Training.Epochs} epochs, seeds {string.Join(", ", settings.Seeds)}.";
        yield return "Where the models look (test split, its decoys): |∂ s_y/∂x|, the input gradient of the true " +
                     "class's logit; on decoy % / on ink % = its share on the decoy patch / on the clean digit's " +
                     "ink (PalFunctional.attribution_mass_in_mask); ink r = its Pearson correlation with the ink " +
                     FormattableString.Invariant($"heatmap (σ = {settings.Pal.Sigma}) PAL is given ") +
                     "(PalFunctional.attribution_correlation).";
        yield return $"PAL: {settings.Pal} (heatmap: the clean digit's ink, rendered at the layer's size).";
        yield return $"RRR: {settings.RightReasons}.";
        yield return $"Machine: {Machine(settings.Threads)}. Wall time: " +
                     FormattableString.Invariant($"{wallTime.TotalMinutes:F1} min.");
    }

    /// <summary>The machine in words: OS, logical CPUs, LibTorch threads, TorchSharp and .NET versions.</summary>
    public static string Machine(int threads) =>
        $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription.Trim()}, " +
        $"{Environment.ProcessorCount} logical CPUs, {threads} LibTorch threads, TorchSharp " +
        typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString(3) + ", " +
        CultureInfo.InvariantCulture.TextInfo.ToTitleCase(
            System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription);
}
