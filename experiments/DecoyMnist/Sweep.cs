using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>
/// The search for PAL's (and RRR's) settings: every combination of the given lists is trained on the decoyed
/// training split and scored on the validation split only (PAL's first-order relatives, when asked for, at each λ of
/// the grid with PAL's other settings). The test split is not loaded into any decision.
/// </summary>
public static class Sweep
{
    private const int DecoySeed = 17;

    /// <summary>The lists to combine.</summary>
    public sealed record Grid(
        IReadOnlyList<string> Layers,
        IReadOnlyList<double> Lambdas,
        IReadOnlyList<ChannelStrategy> Strategies,
        IReadOnlyList<double> Sigmas,
        IReadOnlyList<AttributionTarget> Targets,
        IReadOnlyList<AttributionMethod> Methods,
        IReadOnlyList<PalNormalization> Normalizations,
        IReadOnlyList<double> RightReasonsLambdas,
        IReadOnlyList<int> WarmupSteps);

    /// <summary>One configuration's validation accuracy, with decoys of a random class's grey level and without any
    /// decoy (the clean validation digits: what the penalty costs on the digits themselves).</summary>
    public sealed record Entry(string Protocol, string Method, string Configuration, int Seed,
        double ValidationAccuracy, double SecondsPerEpoch, double CleanValidationAccuracy);

    /// <summary>Runs the grid and writes sweep.md and sweep.json into the output folder.</summary>
    public static List<Entry> Run(ExperimentData data, ExperimentSettings settings, Grid grid, string commandLine)
    {
        var entries = new List<Entry>();
        var started = DateTime.UtcNow;
        var palConfigurations = (
            from layer in grid.Layers
            from lambda in grid.Lambdas
            from strategy in grid.Strategies
            from sigma in grid.Sigmas
            from target in grid.Targets
            from method in grid.Methods
            from normalization in grid.Normalizations
            from warmup in grid.WarmupSteps
            select new PalSettings(layer, lambda, strategy, sigma, target, method, normalization, warmup,
                settings.Pal.DecayStart, settings.Pal.DecaySteps)).ToList();
        TrainingProgress.Run(reporter =>
        {
            foreach (var protocol in settings.Protocols)
            {
                using var train = DecoySplit.Create(data.Train, protocol, DecoyPhase.Train, DecoySeed);
                using var validation = DecoySplit.Create(data.Validation, protocol, DecoyPhase.Shuffled, DecoySeed + 1);
                using var cleanValidation = DecoySplit.Create(data.Validation, null, DecoyPhase.Shuffled, DecoySeed);
                var runs = new List<(TrainingMethod Method, string Name, ExperimentSettings Settings)>();
                if (settings.Methods.Contains(TrainingMethod.Unpenalised))
                {
                    runs.Add((TrainingMethod.Unpenalised, "-", settings));
                }

                if (settings.Methods.Contains(TrainingMethod.Pal))
                {
                    runs.AddRange(palConfigurations.Select(p =>
                        (TrainingMethod.Pal, p.ToString(), settings with { Pal = p })));
                }

                // PAL's first-order relatives: PAL's settings, each λ of the grid.
                foreach (var (variant, _) in PalVariants.All.Where(v => settings.Methods.Contains(v.Method)))
                {
                    runs.AddRange(grid.Lambdas.Select(l =>
                    {
                        var withLambda = settings with
                        {
                            VariantLambdas = new Dictionary<TrainingMethod, double> { [variant] = l },
                        };
                        return (variant, withLambda.PalFor(variant).ToString(), withLambda);
                    }));
                }

                if (settings.Methods.Contains(TrainingMethod.RightReasons))
                {
                    runs.AddRange(grid.RightReasonsLambdas.Select(l =>
                    {
                        var rrr = settings.RightReasons with { Lambda = l };
                        return (TrainingMethod.RightReasons, rrr.ToString(), settings with { RightReasons = rrr });
                    }));
                }

                if (settings.Methods.Contains(TrainingMethod.PalAndRightReasons))
                {
                    runs.AddRange(
                        from p in palConfigurations
                        from l in grid.RightReasonsLambdas
                        let rrr = settings.RightReasons with { Lambda = l }
                        select (TrainingMethod.PalAndRightReasons, $"{p}; RRR {rrr}",
                            settings with { Pal = p, RightReasons = rrr }));
                }

                foreach (var seed in settings.Seeds)
                {
                    foreach (var (method, name, runSettings) in runs)
                    {
                        var steps = settings.Training.StepsFor(train.Count);
                        var task = reporter.Start($"{protocol.Name} seed {seed} {Experiment.Describe(method)} {name}",
                            steps);
                        var (model, secondsPerEpoch) = Trainer.Train(train,
                            m => Experiment.ObjectiveFor(method, m, runSettings, steps), settings.Training, seed, task);
                        using (model)
                        {
                            var accuracy = Trainer.Accuracy(model, validation);
                            var clean = Trainer.Accuracy(model, cleanValidation);
                            entries.Add(new Entry(protocol.Name, Experiment.Describe(method), name, seed, accuracy,
                                secondsPerEpoch, clean));
                            task.Finish(FormattableString.Invariant($"val {accuracy:F2} %, clean val {clean:F2} %"));
                        }

                        Write(settings.OutputFolder, entries, settings, data, DateTime.UtcNow - started, commandLine);
                    }
                }
            }

            return 0;
        });
        return entries;
    }

    private static void Write(string folder, IReadOnlyList<Entry> entries, ExperimentSettings settings,
        ExperimentData data, TimeSpan wall, string commandLine)
    {
        Directory.CreateDirectory(folder);
        var rows = entries.GroupBy(e => (e.Protocol, e.Method, e.Configuration))
            .Select(g => (g.Key, Accuracy: MeanStd.Of(g.Select(e => e.ValidationAccuracy).ToList()),
                Clean: MeanStd.Of(g.Select(e => e.CleanValidationAccuracy).ToList()),
                Seconds: MeanStd.Of(g.Select(e => e.SecondsPerEpoch).ToList())))
            .OrderBy(r => r.Key.Protocol).ThenByDescending(r => r.Accuracy.Mean).ToList();
        var markdown = new StringBuilder();
        markdown.AppendLine(
            "| protocol | model | configuration | validation accuracy % | clean validation % | seeds | s / epoch |");
        markdown.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var (key, accuracy, clean, seconds) in rows)
        {
            markdown.AppendLine($"| {key.Protocol} | {key.Method} | {key.Configuration} | {accuracy.Format()} | " +
                                $"{clean.Format()} | {accuracy.Count} | {seconds.Format("F1")} |");
        }

        markdown.AppendLine();
        markdown.AppendLine($"* Command: `{commandLine}`");
        markdown.AppendLine($"* Data: {data.Source}; {data.Train.Count:N0} train / {data.Validation.Count:N0} " +
                            "validation digits (validation decoys carry a random class's grey level). " +
                            "Test digits are not used.");
        markdown.AppendLine(FormattableString.Invariant(
            $"* {settings.Training.Epochs} epochs, batch {settings.Training.BatchSize}, ") +
                            FormattableString.Invariant($"Adam lr {settings.Training.LearningRate}; ") +
                            FormattableString.Invariant($"wall time so far {wall.TotalMinutes:F1} min."));
        File.WriteAllText(Path.Combine(folder, "sweep.md"), markdown.ToString());
        File.WriteAllText(Path.Combine(folder, "sweep.json"), JsonSerializer.Serialize(entries,
            new JsonSerializerOptions { WriteIndented = true, Converters = { new JsonStringEnumConverter() } }));
    }
}
