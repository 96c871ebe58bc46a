using static TorchSharp.torch;

namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>
/// The paper's own claim, transplanted: with no shortcut at all, does PAL help when training data are few? Plain
/// cross-entropy, PAL (the ink heatmap) and the RRR input-gradient penalty are trained on class-stratified subsets
/// of the training digits (clean, or cluttered with fragments of other digits) and scored on the validation and
/// test digits of the same kind. PAL's and RRR's λ are this protocol's own (<see cref="DefaultLambda"/>,
/// <see cref="DefaultRightReasonsLambda"/>, chosen on validation); every other setting is the experiment's. The test
/// split is only read for the final numbers.
/// </summary>
public static class SmallData
{
    /// <summary>Subsets differ per seed (so a seed's spread includes which digits were drawn); the three models of a
    /// seed share one subset, so their difference is paired.</summary>
    private const int SubsetSeed = 31;

    /// <summary>PAL's λ in this protocol unless the command line sets one: chosen on the validation splits (seed 1,
    /// 100 to 1,000 clean digits and 100 to 300 cluttered ones; experiments/DecoyMnist/README.md), against the decoy
    /// experiment's 30, which was chosen against a shortcut and costs accuracy with few images.</summary>
    public const double DefaultLambda = 3;

    /// <summary>The RRR input-gradient penalty's λ in this protocol unless the command line sets one: chosen like
    /// <see cref="DefaultLambda"/>, by the best mean validation accuracy over the same rows (seed 1;
    /// experiments/DecoyMnist/README.md, stage 17 of sweep.sh), against the decoy experiment's 30.</summary>
    public const double DefaultRightReasonsLambda = 1;

    /// <summary>Where the clutter falls is data, fixed per split (a training subset's also depends on its seed).
    /// </summary>
    private const int ClutterSeed = 47;

    /// <summary>One trained model's numbers.</summary>
    /// <param name="Size">Training digits.</param>
    /// <param name="Method">How it was trained.</param>
    /// <param name="Seed">Subset, initialisation and batch-order seed.</param>
    /// <param name="Steps">Optimiser steps it got.</param>
    /// <param name="ValidationAccuracy">% on the clean validation digits.</param>
    /// <param name="TestAccuracy">% on the clean test digits.</param>
    /// <param name="TestAgreement">Where it looks on the clean test digits.</param>
    /// <param name="SecondsPerEpoch">Mean wall-clock seconds per pass over the subset.</param>
    /// <param name="Lambda">PAL's λ (with <see cref="LambdaSelection"/>, the chosen one; 0: the plain model was
    /// chosen); null for the other methods.</param>
    /// <param name="Candidates">With <see cref="LambdaSelection"/>: every candidate λ's model, for the record (the
    /// choice reads their validation digits only).</param>
    /// <param name="Layer">With <see cref="LambdaSelection.Layers"/>: the chosen PAL layer (null when the plain model
    /// was chosen, or PAL's only layer was tried).</param>
    public sealed record Result(int Size, TrainingMethod Method, int Seed, int Steps, double ValidationAccuracy,
        double TestAccuracy, AttributionAgreement TestAgreement, double SecondsPerEpoch, double? Lambda = null,
        IReadOnlyList<Candidate>? Candidates = null, string? Layer = null);

    /// <summary>One candidate λ's model under <see cref="LambdaSelection"/>.</summary>
    /// <param name="Lambda">Its λ (0: plain training).</param>
    /// <param name="ValidationAccuracy">% on the clean validation digits.</param>
    /// <param name="TestAccuracy">% on the clean test digits (recorded, never read by the choice).</param>
    /// <param name="InkCorrelation">Its attribution's correlation with the ink on the test digits.</param>
    /// <param name="ValidationCorrect">Which validation digits it classifies correctly, one '1' or '0' each (to
    /// study the choice on halves of the validation split).</param>
    /// <param name="Layer">Its PAL layer (null for the plain model, and in runs that tried PAL's layer only).</param>
    public sealed record Candidate(double Lambda, double ValidationAccuracy, double TestAccuracy,
        double InkCorrelation, string ValidationCorrect, string? Layer = null);

    /// <summary>PAL's λ chosen per (seed, size) on the validation digits by <see cref="PalStrength.Choose"/>, and
    /// with <paramref name="Layers"/> its layer too.</summary>
    /// <param name="Candidates">The λ values tried, 0 among them.</param>
    /// <param name="Margin">Standard errors a PAL model must beat plain training by.</param>
    /// <param name="Layers">The layers tried, each with every λ (null: PAL's layer only). The choice is the most
    /// accurate (layer, λ) model that beats plain training by the margin, the earlier layer on a tie: one
    /// <see cref="PalStrength.Choose"/> per layer, sharing the plain model, then the most accurate of their choices.
    /// </param>
    public sealed record LambdaSelection(IReadOnlyList<double> Candidates, double Margin,
        IReadOnlyList<string>? Layers = null);

    /// <summary>The optimisation a subset of <paramref name="size"/> digits gets: the experiment's epochs, but at
    /// least <paramref name="minimumSteps"/> optimiser steps.</summary>
    public static TrainingSettings TrainingFor(TrainingSettings training, int size, int minimumSteps) =>
        training with { Steps = Math.Max(training.StepsFor(size), minimumSteps) };

    /// <summary>Trains and scores every (seed, size, method); <paramref name="sizes"/> above the training split's
    /// size mean all of it. With <paramref name="clutter"/>, every split's images carry fragments of digits of the
    /// same split (a training subset only its own: what a small data set would have). <paramref name="completed"/>
    /// sees the results so far after each model, so that a run stopped early (seeds are the outer loop) still leaves
    /// whole seeds behind. With <paramref name="selection"/>, PAL's λ is chosen per (seed, size) on the validation
    /// digits; the plain model trained just before it is reused as the λ = 0 candidate.</summary>
    public static List<Result> Run(ExperimentData data, ExperimentSettings settings, IReadOnlyList<int> sizes,
        int minimumSteps, Clutter? clutter = null, Action<IReadOnlyList<Result>>? completed = null,
        LambdaSelection? selection = null)
    {
        var results = new List<Result>();
        // No decoy anywhere: the plain model is the experiment's clean-data model, renamed.
        var methods = settings.Methods.Select(m => m == TrainingMethod.Clean ? TrainingMethod.Unpenalised : m)
            .Distinct().ToList();
        using var validation = ValidationSplit(data, clutter);
        using var test = Split(data.Test, clutter, ClutterSeed + 1);
        var all = Enumerable.Range(0, data.Train.Count).ToArray();
        TrainingProgress.Run(reporter =>
        {
            foreach (var seed in settings.Seeds)
            {
                foreach (var size in sizes)
                {
                    var subset = data.Train.Subset(
                        StratifiedSplit.Subsample(all, data.Train.Labels, size, SubsetSeed + seed));
                    using var train = Split(subset, clutter, ClutterSeed + 100 + seed);
                    var training = TrainingFor(settings.Training, subset.Count, minimumSteps);
                    var steps = training.StepsFor(subset.Count);
                    (Result Result, Tensor Correct)? plain = null;
                    try
                    {
                        foreach (var method in methods)
                        {
                            Result result;
                            if (method == TrainingMethod.Pal && selection is not null)
                            {
                                result = TrainWithChosenLambda(train, validation, test, settings, selection, training,
                                    subset.Count, seed, steps, reporter, plain);
                            }
                            else
                            {
                                var (trained, correct) = TrainOne(method, settings, train, validation, test,
                                    training, subset.Count, seed, steps, reporter);
                                result = trained;
                                if (method == TrainingMethod.Unpenalised)
                                {
                                    plain = (trained, correct);
                                }
                                else
                                {
                                    correct.Dispose();
                                }
                            }

                            results.Add(result);
                            completed?.Invoke(results);
                        }
                    }
                    finally
                    {
                        plain?.Correct.Dispose();
                    }
                }
            }

            return 0;
        });
        return results;
    }

    /// <summary>Trains one model and scores it; also returns which validation digits it gets right.</summary>
    private static (Result Result, Tensor ValidationCorrect) TrainOne(TrainingMethod method,
        ExperimentSettings settings, DecoySplit train, DecoySplit validation, DecoySplit test,
        TrainingSettings training, int size, int seed, int steps, TrainingProgress.IProgressReporter reporter)
    {
        var task = reporter.Start($"seed {seed}  {size} digits  {Describe(method)}" +
                                  (method == TrainingMethod.Pal ? FormattableString.Invariant(
                                      $" λ={settings.Pal.Lambda}") : ""), steps);
        var (model, secondsPerEpoch) = Trainer.Train(train,
            m => Experiment.ObjectiveFor(method, m, settings, steps), training, seed, task);
        using (model)
        {
            var correct = Trainer.Correct(model, validation);
            var result = new Result(size, method, seed, steps, Trainer.Accuracy(correct), Trainer.Accuracy(model, test),
                AttributionAgreement.Measure(model, test, settings.Pal.Sigma), secondsPerEpoch,
                method == TrainingMethod.Pal ? settings.Pal.Lambda : null);
            task.Finish(FormattableString.Invariant(
                            $"val {result.ValidationAccuracy:F2} %, test {result.TestAccuracy:F2} %, ") +
                        FormattableString.Invariant($"ink r {result.TestAgreement.InkCorrelation:F3}"));
            return (result, correct);
        }
    }

    /// <summary>PAL with its λ (and, with <see cref="LambdaSelection.Layers"/>, its layer) chosen by
    /// <see cref="PalStrength.Choose"/> on the validation digits: one model per candidate (λ = 0 is the plain model
    /// of the same seed and subset when <paramref name="plain"/> gives it, trained once otherwise), the chosen one's
    /// numbers reported as PAL's.</summary>
    private static Result TrainWithChosenLambda(DecoySplit train, DecoySplit validation, DecoySplit test,
        ExperimentSettings settings, LambdaSelection selection, TrainingSettings training, int size, int seed,
        int steps, TrainingProgress.IProgressReporter reporter, (Result Result, Tensor Correct)? plain)
    {
        var trained = new Dictionary<(string? Layer, double Lambda), (Result Result, string Correct)>();
        (Result Result, string Correct)? plainModel = null;
        var layers = selection.Layers?.ToList<string?>() ?? [null];
        var (chosenLayer, chosenLambda) = LayerAndLambdaChoice.Choose(layers, selection.Candidates, (layer, lambda) =>
        {
            if (lambda == 0 && plainModel is { } earlier)
            {
                return FlagsTensor(earlier.Correct);
            }

            if (lambda == 0 && plain is { } reused)
            {
                plainModel = (reused.Result, Flags(reused.Correct));
                return reused.Correct.clone();
            }

            var pal = settings.Pal with { Layer = layer ?? settings.Pal.Layer, Lambda = lambda };
            var (result, correct) = TrainOne(lambda == 0 ? TrainingMethod.Unpenalised : TrainingMethod.Pal,
                settings with { Pal = pal }, train, validation, test, training, size, seed, steps, reporter);
            if (lambda == 0)
            {
                plainModel = (result, Flags(correct));
            }
            else
            {
                trained[(layer, lambda)] = (result, Flags(correct));
            }

            return correct;
        }, selection.Margin);
        var (plainResult, plainCorrect) = plainModel!.Value;
        var candidates = trained.Select(t => new Candidate(t.Key.Lambda, t.Value.Result.ValidationAccuracy,
                t.Value.Result.TestAccuracy, t.Value.Result.TestAgreement.InkCorrelation, t.Value.Correct,
                t.Key.Layer))
            .Prepend(new Candidate(0, plainResult.ValidationAccuracy, plainResult.TestAccuracy,
                plainResult.TestAgreement.InkCorrelation, plainCorrect))
            .ToList();
        var chosen = chosenLambda > 0 ? trained[(chosenLayer, chosenLambda)].Result : plainResult;
        return chosen with
        {
            Method = TrainingMethod.Pal,
            Lambda = chosenLambda,
            Candidates = candidates,
            Layer = chosenLayer,
        };
    }

    private static Tensor FlagsTensor(string flags) => tensor(flags.Select(c => c == '1').ToArray());

    private static string Flags(Tensor correct)
    {
        using var host = correct.cpu();
        return string.Concat(host.data<bool>().ToArray().Select(c => c ? '1' : '0'));
    }

    /// <summary>The validation digits as every model of the protocol is scored on them (with
    /// <paramref name="clutter"/>, its fixed fragments).</summary>
    public static DecoySplit ValidationSplit(ExperimentData data, Clutter? clutter) =>
        Split(data.Validation, clutter, ClutterSeed);

    private static DecoySplit Split(DigitImages digits, Clutter? clutter, int seed) => clutter is null
        ? DecoySplit.Create(digits, null, DecoyPhase.Train, 0)
        : DecoySplit.Cluttered(digits, clutter, digits, seed);

    /// <summary>The name tables and the plot use.</summary>
    public static string Describe(TrainingMethod method) => method switch
    {
        TrainingMethod.Unpenalised or TrainingMethod.Clean => "plain (cross-entropy)",
        _ => Experiment.Describe(method),
    };
}
