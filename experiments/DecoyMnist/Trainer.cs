using System.Diagnostics;
using PrivilegedAttribution.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>An ordinary TorchSharp training loop (Adam, shuffled mini-batches) around any
/// <see cref="IBatchObjective"/>, and the accuracy of a model on a split.</summary>
public static class Trainer
{
    /// <summary>Trains a fresh <see cref="SmallCnn"/> seeded with <paramref name="seed"/>.</summary>
    /// <exception cref="TrainingDivergedException">A loss term became NaN or infinite.</exception>
    /// <returns>The model (in eval mode) and the mean wall-clock seconds of one training epoch.</returns>
    public static (Sequential Model, double SecondsPerEpoch) Train(
        DecoySplit train,
        Func<Sequential, IBatchObjective> objectiveFor,
        TrainingSettings settings,
        int seed,
        TrainingProgress.IProgressTask progress)
    {
        torch.manual_seed(seed);
        var model = SmallCnn.Create();
        using var objective = objectiveFor(model);
        using var optimizer = new FlatMemoryAdam(model.parameters(), settings.LearningRate);
        var stopwatch = new Stopwatch();
        var batches = MiniBatches.Count(train.Count, settings.BatchSize);
        var (steps, epochs) = (settings.StepsFor(train.Count), settings.EpochsFor(train.Count));
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            model.train();
            stopwatch.Start();
            double crossEntropySum = 0, penaltySum = 0;
            // The last pass is cut short when the step budget ends inside it.
            var batchesNow = Math.Min(batches, steps - epoch * batches);
            var b = 0;
            foreach (var index in MiniBatches.Shuffled(train.Count, settings.BatchSize).Take(batchesNow))
            {
                using var step = NewDisposeScope();
                model.zero_grad();
                var loss = objective.Compute(model, train.Batch(index));
                loss.Total.backward();
                optimizer.step();
                var crossEntropy = loss.CrossEntropy.item<float>();
                var penalty = loss.Penalty?.item<float>() ?? 0;
                // The terms are on the host already: a NaN stops the run here, not after epochs of NaN weights.
                TrainingDivergedException.ThrowIfNonFinite(epoch + 1, epochs, $"step {b + 1}/{batches}",
                    loss.Penalty is null ? [("CE", crossEntropy)] : [("CE", crossEntropy), ("penalty", penalty)]);
                crossEntropySum += crossEntropy;
                penaltySum += penalty;
                progress.Advance(status: () => FormattableString.Invariant(
                    $"epoch {epoch + 1}/{epochs}  CE {crossEntropySum / (b + 1):F3}") +
                    (loss.Penalty is null ? "" : FormattableString.Invariant($"  penalty {penaltySum / (b + 1):F4}")));
                b++;
            }

            stopwatch.Stop();
        }

        model.eval();
        // Per full pass's worth of steps, so that a cut-short last pass does not distort it.
        return (model, stopwatch.Elapsed.TotalSeconds * batches / Math.Max(1, steps));
    }

    /// <summary>Top-1 accuracy (in %) of <paramref name="model"/> on <paramref name="split"/>.</summary>
    public static double Accuracy(Sequential model, DecoySplit split)
    {
        using var correct = Correct(model, split);
        return Accuracy(correct);
    }

    /// <summary>Top-1 accuracy (in %) from <see cref="Correct"/>'s flags.</summary>
    public static double Accuracy(Tensor correct)
    {
        using var right = correct.sum();
        return 100.0 * right.item<long>() / correct.shape[0];
    }

    /// <summary>Which images of <paramref name="split"/> <paramref name="model"/> classifies correctly (bool, one
    /// per image).</summary>
    public static Tensor Correct(Sequential model, DecoySplit split)
    {
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var parts = new List<Tensor>();
        for (long start = 0; start < split.Count; start += 1000)
        {
            var length = Math.Min(1000, split.Count - start);
            var predicted = model.call(split.Images.narrow(0, start, length)).argmax(1);
            parts.Add(predicted.eq(split.Labels.narrow(0, start, length)));
        }

        return cat(parts, 0).MoveToOuterDisposeScope();
    }
}
