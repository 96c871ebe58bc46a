using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using PrivilegedAttribution.Benchmarks.Ratios;
using Spectre.Console;

namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>The experiment's table: printed, and written as Markdown and JSON.</summary>
public static class Report
{
    /// <summary>How the experiment's JSON files are written and read: indented, enums as names, NaN allowed.</summary>
    public static JsonSerializerOptions Json { get; } = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        PropertyNameCaseInsensitive = true,
    };

    /// <summary>One row per (protocol, method): each measure's mean, standard deviation and 95 % confidence
    /// interval over seeds, and the runs it summarises (for the paired comparisons).</summary>
    /// <remarks>DecoyShare, InkShare and InkCorrelation: where the models look on the test split
    /// (<see cref="AttributionAgreement"/>).</remarks>
    public sealed record Row(string Protocol, string Method, MeanStd Test, MeanStd Validation, MeanStd CleanTest,
        MeanStd SecondsPerEpoch, MeanStd DecoyShare, MeanStd InkShare, MeanStd InkCorrelation,
        IReadOnlyList<RunResult> Runs);

    /// <summary>The order of the tables: the CDEP protocol first.</summary>
    private static int ProtocolOrder(string protocol) => protocol == "cdep" ? 0 : 1;

    /// <summary>Aggregates <paramref name="results"/>.</summary>
    public static List<Row> Rows(IEnumerable<RunResult> results) => results
        .GroupBy(r => (r.Protocol, r.Method))
        .OrderBy(g => ProtocolOrder(g.Key.Protocol)).ThenBy(g => g.Key.Method)
        .Select(g => new Row(g.Key.Protocol, Experiment.Describe(g.Key.Method),
            MeanStd.Of(g.Where(r => r.TestAccuracy is not null).Select(r => r.TestAccuracy!.Value).ToList()),
            MeanStd.Of(g.Select(r => r.ValidationAccuracy).ToList()),
            MeanStd.Of(g.Where(r => r.CleanTestAccuracy is not null).Select(r => r.CleanTestAccuracy!.Value).ToList()),
            MeanStd.Of(g.Select(r => r.SecondsPerEpoch).ToList()),
            Agreement(g, a => a.DecoyShare), Agreement(g, a => a.InkShare), Agreement(g, a => a.InkCorrelation),
            g.ToList()))
        .ToList();

    /// <summary>PAL against each other model, per protocol, paired over seeds.</summary>
    public static List<PalVersusBaseline> Comparisons(IReadOnlyList<Row> rows) =>
        PalVersusBaseline.Of(rows.SelectMany(r => r.Runs))
            .OrderBy(c => ProtocolOrder(c.Protocol)).ThenBy(c => c.Protocol, StringComparer.Ordinal).ToList();

    private static readonly string[] Columns =
    [
        "protocol", "model", "test accuracy %", "validation %", "clean test %", "s / epoch",
        "on decoy %", "on ink %", "ink r",
    ];

    private static string[] Cells(Row row) =>
    [
        row.Protocol, row.Method, row.Test.FormatCi(), row.Validation.FormatCi(), row.CleanTest.FormatCi(),
        row.SecondsPerEpoch.FormatCi("F1"), row.DecoyShare.FormatCi("F1"), row.InkShare.FormatCi("F1"),
        row.InkCorrelation.FormatCi("F3"),
    ];

    private static readonly string[] ComparisonColumns =
    [
        "protocol", "PAL against", "Δ test accuracy", "p", "Δ clean test", "p", "seeds",
    ];

    private static string[] Cells(PalVersusBaseline comparison) =>
    [
        comparison.Protocol, Experiment.Describe(comparison.Baseline),
        comparison.Test.Difference.FormatCi(signed: true), comparison.Test.FormatP(),
        comparison.CleanTest.Difference.FormatCi(signed: true), comparison.CleanTest.FormatP(),
        comparison.Test.Count.ToString(CultureInfo.InvariantCulture),
    ];

    private static MeanStd Agreement(IEnumerable<RunResult> runs, Func<AttributionAgreement, double> measure) =>
        MeanStd.Of(runs.Where(r => r.TestAgreement is not null).Select(r => measure(r.TestAgreement!)).ToList());

    /// <summary>Prints the table, and PAL's paired comparisons with the other models, to the console.</summary>
    public static void Print(IReadOnlyList<Row> rows, string title)
    {
        AnsiConsole.Write(ConsoleTable(title, Columns, rows.Select(Cells)).Caption(CellCaption));
        var comparisons = Comparisons(rows);
        if (comparisons.Count > 0)
        {
            AnsiConsole.Write(ConsoleTable("PAL against each other model, paired over seeds", ComparisonColumns,
                comparisons.Select(Cells)).Caption(ComparisonCaption));
        }
    }

    private const string CellCaption = "mean ± half-width of the 95 % confidence interval over seeds (Student's t)";

    private const string ComparisonCaption =
        "Δ = PAL − the model, per seed, in points: mean ± 95 % CI; p: two-sided paired t-test";

    /// <summary>A console table of plain-text cells (escaped here).</summary>
    internal static Table ConsoleTable(string title, string[] columns, IEnumerable<string[]> rows)
    {
        var table = new Table().Title(Markup.Escape(title));
        foreach (var column in columns)
        {
            table.AddColumn(Markup.Escape(column));
        }

        foreach (var cells in rows)
        {
            table.AddRow(cells.Select(Markup.Escape).ToArray());
        }

        return table;
    }

    /// <summary>Appends a Markdown table.</summary>
    internal static void AppendMarkdownTable(StringBuilder markdown, string[] columns, IEnumerable<string[]> rows)
    {
        markdown.AppendLine("| " + string.Join(" | ", columns) + " |");
        markdown.AppendLine("|" + string.Concat(columns.Select(_ => "---|")));
        foreach (var cells in rows)
        {
            markdown.AppendLine("| " + string.Join(" | ", cells) + " |");
        }
    }

    /// <summary>The runs of results.json files written by <see cref="Write"/> (disjoint runs, e.g. one process per
    /// protocol), to report them as one.</summary>
    /// <exception cref="InvalidDataException">A file has no runs, or two files hold the same model, protocol and seed.
    /// </exception>
    public static List<RunResult> Read(IEnumerable<string> paths)
    {
        var runs = paths.SelectMany(path =>
            {
                using var document = JsonDocument.Parse(File.ReadAllText(path));
                return document.RootElement.GetProperty("runs").Deserialize<List<RunResult>>(Json)
                       ?? throw new InvalidDataException($"{path} has no runs.");
            })
            .ToList();
        var repeated = runs.GroupBy(r => (r.Protocol, r.Method, r.Seed)).FirstOrDefault(g => g.Count() > 1);
        return repeated is null
            ? runs
            : throw new InvalidDataException(
                $"The files hold {repeated.Key} more than once; merge disjoint runs (e.g. different --protocols).");
    }

    /// <summary>Writes results.md and results.json into <paramref name="folder"/>.</summary>
    /// <param name="merged">For a report of merged runs: the runs' own machines and wall time.</param>
    public static void Write(string folder, ExperimentSettings settings, ExperimentData data,
        IReadOnlyList<RunResult> results, TimeSpan wallTime, string commandLine, RunProvenance? merged = null)
    {
        Directory.CreateDirectory(folder);
        var rows = Rows(results);
        var comparisons = Comparisons(rows);
        var markdown = new StringBuilder();
        AppendMarkdownTable(markdown, Columns, rows.Select(Cells));
        markdown.AppendLine().AppendLine($"Each cell: {CellCaption}.");
        if (comparisons.Count > 0)
        {
            markdown.AppendLine();
            AppendMarkdownTable(markdown, ComparisonColumns, comparisons.Select(Cells));
            markdown.AppendLine().AppendLine($"{ComparisonCaption}.");
        }

        markdown.AppendLine();
        foreach (var line in Describe(settings, data, wallTime, commandLine, merged))
        {
            markdown.AppendLine($"* {line}");
        }

        File.WriteAllText(Path.Combine(folder, "results.md"), markdown.ToString());
        var json = new
        {
            command = commandLine,
            machine = merged?.Machine ?? Machine(settings.Threads),
            data = DataJson(data),
            protocols = settings.Protocols.Select(p => new { p.Name, p.PatchSize, p.Description }),
            training = settings.Training,
            seeds = settings.Seeds,
            pal = PalJson(settings.Pal),
            palDescription = settings.Pal.ToString(),
            variants = settings.VariantSettings,
            rightReasons = settings.RightReasons,
            wallTimeSeconds = Math.Round((merged?.WallTime ?? wallTime).TotalSeconds, 1),
            confidenceLevel = MeanStd.ConfidenceLevel,
            summary = rows.Select(r => new
            {
                r.Protocol, model = r.Method, testMean = r.Test.Mean, testStd = r.Test.Std,
                testCi95Low = r.Test.Ci95Low, testCi95High = r.Test.Ci95High,
                validationMean = r.Validation.Mean, validationStd = r.Validation.Std,
                validationCi95Low = r.Validation.Ci95Low, validationCi95High = r.Validation.Ci95High,
                cleanTestMean = r.CleanTest.Mean, cleanTestStd = r.CleanTest.Std,
                cleanTestCi95Low = r.CleanTest.Ci95Low, cleanTestCi95High = r.CleanTest.Ci95High,
                secondsPerEpoch = r.SecondsPerEpoch.Mean, seeds = r.Test.Count,
                decoySharePercentMean = r.DecoyShare.Mean, decoySharePercentStd = r.DecoyShare.Std,
                decoySharePercentCi95Low = r.DecoyShare.Ci95Low, decoySharePercentCi95High = r.DecoyShare.Ci95High,
                inkSharePercentMean = r.InkShare.Mean, inkSharePercentStd = r.InkShare.Std,
                inkSharePercentCi95Low = r.InkShare.Ci95Low, inkSharePercentCi95High = r.InkShare.Ci95High,
                inkCorrelationMean = r.InkCorrelation.Mean, inkCorrelationStd = r.InkCorrelation.Std,
                inkCorrelationCi95Low = r.InkCorrelation.Ci95Low, inkCorrelationCi95High = r.InkCorrelation.Ci95High,
            }),
            // PAL − each other model, paired over seeds: mean difference (percentage points), its 95 % interval, the
            // paired t statistic and two-sided p-value, for test and clean-test accuracy.
            comparisons = comparisons.Select(c => new
            {
                c.Protocol, model = Experiment.Describe(TrainingMethod.Pal),
                baseline = Experiment.Describe(c.Baseline), seeds = c.Test.Count,
                test = Paired(c.Test), cleanTest = Paired(c.CleanTest),
            }),
            runs = results,
        };
        File.WriteAllText(Path.Combine(folder, "results.json"), JsonSerializer.Serialize(json, Json));
    }

    private static object Paired(PairedComparison comparison) => new
    {
        differenceMean = comparison.Difference.Mean, differenceStd = comparison.Difference.Std,
        differenceCi95Low = comparison.Difference.Ci95Low, differenceCi95High = comparison.Difference.Ci95High,
        t = comparison.T, p = comparison.PValue,
    };

    /// <summary>The settings, in words, for the Markdown file and the console (with <paramref name="merged"/>, the
    /// machine and wall time of the merged runs).</summary>
    public static IEnumerable<string> Describe(ExperimentSettings settings, ExperimentData data, TimeSpan wallTime,
        string commandLine, RunProvenance? merged = null)
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
        yield return "± is the half-width of the 95 % confidence interval of the mean over seeds (Student's t, n − 1 " +
                     "degrees of freedom; none with one seed). PAL against each other model: the per-seed " +
                     "differences (the models of a seed share the split, initialisation seed and batch order), " +
                     "their mean ± 95 % interval and the two-sided paired t-test's p.";
        yield return $"PAL: {settings.Pal} (heatmap: the clean digit's ink, rendered at the layer's size).";
        yield return $"RRR: {settings.RightReasons}.";
        if (settings.VariantsDescription.Length > 0)
        {
            yield return $"PAL's variants: {settings.VariantsDescription}.";
        }

        yield return merged?.Describe() ?? $"Machine: {Machine(settings.Threads)}. Wall time: " +
            FormattableString.Invariant($"{wallTime.TotalMinutes:F1} min.");
    }

    /// <summary>Where and how long the runs in results.json files were made (<see cref="RunProvenance"/>), after
    /// checking that they were made with the settings and data the merged report will print: PAL, RRR,
    /// optimisation, seeds, the data's source and split, and together the protocols.</summary>
    /// <exception cref="InvalidDataException">A file's runs were made with other settings or data, or the files'
    /// protocols are not the report's.</exception>
    public static RunProvenance ReadProvenance(IReadOnlyList<string> paths, ExperimentSettings settings,
        ExperimentData data)
    {
        var expected = new (string Name, JsonNode? Node)[]
        {
            ("data", JsonSerializer.SerializeToNode(DataJson(data), Json)),
            ("pal", JsonSerializer.SerializeToNode(PalJson(settings.Pal), Json)),
            ("rightReasons", JsonSerializer.SerializeToNode(settings.RightReasons, Json)),
            ("training", JsonSerializer.SerializeToNode(settings.Training, Json)),
            ("seeds", JsonSerializer.SerializeToNode(settings.Seeds, Json)),
        };
        var protocols = new SortedSet<string>(StringComparer.Ordinal);
        var provenance = RunProvenance.Read(paths, root =>
        {
            foreach (var protocol in root.GetProperty("protocols").EnumerateArray())
            {
                protocols.Add(protocol.GetProperty("Name").GetString() ?? "");
            }

            // Files written since the variants were added also say their settings.
            if (root.TryGetProperty("variants", out var variants) && settings.VariantMismatch(variants) is { } why)
            {
                return why;
            }

            // Files written since palDescription was added also say PAL's method, normalisation and schedule.
            if (root.TryGetProperty("palDescription", out var pal) && pal.GetString() != settings.Pal.ToString())
            {
                return $"its runs were made with PAL: {pal.GetString()}, but this merge would label them PAL: " +
                       $"{settings.Pal}";
            }

            var (name, label, ran) = expected
                .Select(e => (e.Name, e.Node, Ran: JsonNode.Parse(root.GetProperty(e.Name).GetRawText())))
                .FirstOrDefault(e => !JsonNode.DeepEquals(e.Ran, e.Node));
            return name is null
                ? null
                : $"its runs were made with {name} {ran?.ToJsonString()}, but this merge would label them " +
                  $"{label?.ToJsonString()}";
        });
        var labelled = settings.Protocols.Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
        return protocols.SequenceEqual(labelled)
            ? provenance
            : throw new InvalidDataException(
                $"The files hold the protocols {string.Join(", ", protocols)}, but this merge would label the report " +
                $"with {string.Join(", ", labelled)}. Give --merge the --protocols the runs were made with.");
    }

    /// <summary>The data as result files store it: its source and the sizes of its split.</summary>
    internal static object DataJson(ExperimentData data) => new
    {
        source = data.Source, train = data.Train.Count, validation = data.Validation.Count, test = data.Test.Count,
    };

    private static object PalJson(PalSettings pal) => new
    {
        pal.Layer, pal.Lambda, strategy = pal.Strategy.ToString(), pal.Sigma, pal.Target,
    };

    /// <summary>The machine in words: the CPU (model, family, widest vector instruction set: accuracies do not
    /// move with it, wall times do), OS, logical CPUs, LibTorch threads, TorchSharp and .NET versions.</summary>
    public static string Machine(int threads) =>
        $"{CpuDescription.OfThisMachine()}, " +
        $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription.Trim()}, " +
        $"{Environment.ProcessorCount} logical CPUs, {threads} LibTorch threads, TorchSharp " +
        typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString(3) + ", " +
        CultureInfo.InvariantCulture.TextInfo.ToTitleCase(
            System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription);
}
