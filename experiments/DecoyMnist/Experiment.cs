using TorchSharp.Modules;

namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>
/// The comparison: for every seed, a clean-data model (trained once, evaluated under each protocol), and per
/// protocol an unpenalised, a PAL and a Right-for-the-Right-Reasons model trained on decoyed digits.
/// </summary>
public static class Experiment
{
    /// <summary>The decoy placements are fixed (they are data, like the split); seeds vary the models.</summary>
    private const int DecoySeed = 17;

    /// <summary>Runs it; the models of the first seed are kept for the attribution figures.</summary>
    public static (List<RunResult> Results, Dictionary<(string, TrainingMethod), Sequential> FirstSeedModels) Run(
        ExperimentData data, ExperimentSettings settings)
    {
        var results = new List<RunResult>();
        var kept = new Dictionary<(string, TrainingMethod), Sequential>();
        using var cleanTrain = DecoySplit.Create(data.Train, null, DecoyPhase.Train, DecoySeed);
        using var cleanTest = DecoySplit.Create(data.Test, null, DecoyPhase.Test, DecoySeed);
        var splits = settings.Protocols.ToDictionary(p => p.Name, p => (
            Train: DecoySplit.Create(data.Train, p, DecoyPhase.Train, DecoySeed),
            Validation: DecoySplit.Create(data.Validation, p, DecoyPhase.Shuffled, DecoySeed + 1),
            Test: DecoySplit.Create(data.Test, p, DecoyPhase.Test, DecoySeed + 2)));
        try
        {
            TrainingProgress.Run(reporter =>
            {
                foreach (var seed in settings.Seeds)
                {
                    foreach (var method in settings.Methods)
                    {
                        var protocols = method == TrainingMethod.Clean
                            ? [settings.Protocols[0]] // trained once; its train split has no decoy
                            : settings.Protocols;
                        foreach (var protocol in protocols)
                        {
                            var train = method == TrainingMethod.Clean ? cleanTrain : splits[protocol.Name].Train;
                            var label = method == TrainingMethod.Clean
                                ? $"seed {seed}  clean"
                                : $"seed {seed}  {protocol.Name}  {Describe(method)}";
                            var steps = settings.Training.StepsFor(train.Count);
                            var task = reporter.Start(label, steps);
                            var (model, secondsPerEpoch) = Trainer.Train(train,
                                m => ObjectiveFor(method, m, settings, steps),
                                settings.Training, seed, task);
                            var evaluated = method == TrainingMethod.Clean ? settings.Protocols : [protocol];
                            var summary = new List<string>();
                            foreach (var p in evaluated)
                            {
                                var result = new RunResult(p.Name, method, seed,
                                    Trainer.Accuracy(model, splits[p.Name].Validation),
                                    Trainer.Accuracy(model, splits[p.Name].Test), Trainer.Accuracy(model, cleanTest),
                                    secondsPerEpoch,
                                    AttributionAgreement.Measure(model, splits[p.Name].Test, settings.Pal.Sigma));
                                results.Add(result);
                                summary.Add(FormattableString.Invariant(
                                    $"{p.Name}: val {result.ValidationAccuracy:F2} %, ") +
                                    FormattableString.Invariant($"test {result.TestAccuracy:F2} %, ") +
                                    FormattableString.Invariant($"clean test {result.CleanTestAccuracy:F2} %, ") +
                                    FormattableString.Invariant(
                                        $"on decoy {result.TestAgreement!.DecoyShare:F1} %"));
                                if (seed == settings.Seeds[0])
                                {
                                    kept[(p.Name, method)] = model;
                                }
                            }

                            task.Finish(string.Join("; ", summary) +
                                        FormattableString.Invariant($"  ({secondsPerEpoch:F1} s/epoch)"));
                            if (seed != settings.Seeds[0])
                            {
                                model.Dispose();
                            }
                        }
                    }
                }

                return 0;
            });
        }
        finally
        {
            foreach (var (train, validation, test) in splits.Values)
            {
                train.Dispose();
                validation.Dispose();
                test.Dispose();
            }
        }

        return (results, kept);
    }

    /// <summary>The objective of <paramref name="method"/> for <paramref name="model"/>.</summary>
    public static IBatchObjective ObjectiveFor(TrainingMethod method, Sequential model, ExperimentSettings settings,
        int totalSteps) =>
        method switch
        {
            TrainingMethod.Clean or TrainingMethod.Unpenalised => new CrossEntropyObjective(),
            TrainingMethod.Pal => new PalObjectiveAdapter(model, settings.Pal, totalSteps),
            _ when PalVariants.IsVariant(method) => new PalObjectiveAdapter(model, settings.PalFor(method), totalSteps),
            TrainingMethod.RightReasons => new RightReasonsObjective(settings.RightReasons),
            TrainingMethod.PalAndRightReasons => new PalAndRightReasonsObjective(model, settings.Pal,
                settings.RightReasons, totalSteps),
            _ => throw new ArgumentOutOfRangeException(nameof(method), method, null),
        };

    /// <summary>The name tables use.</summary>
    public static string Describe(TrainingMethod method) => method switch
    {
        TrainingMethod.Clean => "clean data (no decoy)",
        TrainingMethod.Unpenalised => "unpenalised",
        TrainingMethod.Pal => "PAL (ink heatmap)",
        TrainingMethod.PalFirstOrder => "PAL first-order (G detached)",
        TrainingMethod.GradCam => "Grad-CAM maps, second order",
        TrainingMethod.GradCamFirstOrder => "Grad-CAM maps, first order",
        TrainingMethod.ActivationPearson => "channel-mean activation, Pearson",
        TrainingMethod.ActivationCosine => "channel-mean activation, cosine",
        TrainingMethod.RightReasons => "RRR input-gradient penalty",
        TrainingMethod.PalAndRightReasons => "PAL + RRR",
        _ => method.ToString(),
    };
}
