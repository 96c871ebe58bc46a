namespace PrivilegedAttribution;

/// <summary>
/// Schedules for PAL's weight λ over a training run: the factor that multiplies each term's λ at a given optimiser
/// step, to be set with <see cref="PalObjective.SetWeight"/> before the step.
/// </summary>
/// <remarks>
/// <see cref="HoldThenDecay"/> is the package's recommended way to set PAL's strength on small data sets without a
/// known shortcut: choose λ once (λ = 3 with the mean of the channels and Pearson's normalisation) and let the
/// schedule take PAL out of the second half of training. It was chosen on MNIST's validation digits only (clean and
/// cluttered, 100 to 1,000 training images), where it kept a constant λ's gain and, unlike it, never fell below plain
/// training; on cluttered Fashion-MNIST, which was not used to choose it, it did not prevent a loss of 2 points at
/// 1,000 images; <see cref="PalStrength.Choose"/> chooses λ on the user's validation data instead. The "Getting
/// started" page gives the figures. Against a shortcut, keep λ constant: decaying it hands the shortcut back. A
/// departure from PAL's paper, which keeps λ constant.
/// </remarks>
public static class PalSchedule
{
    /// <summary>
    /// 1 for the first <paramref name="holdFraction"/> of the run's steps, then falling linearly to 0 at the last
    /// step: PAL shapes where the network looks while its features form, and the criterion alone settles the end of
    /// training, as with regularisers whose effect is decided early in training (Golatkar, Achille and Soatto,
    /// "Time Matters in Regularizing Deep Networks", NeurIPS 2019).
    /// </summary>
    /// <param name="step">The optimiser step about to run, counted from 0.</param>
    /// <param name="totalSteps">The optimiser steps of the whole run (epochs × batches per epoch).</param>
    /// <param name="holdFraction">The share of the run with the full λ, in [0, 1]; 0.5 (the default) was chosen on
    /// validation data.</param>
    /// <returns>The factor for λ at <paramref name="step"/>: with H = ⌊holdFraction · totalSteps⌋, 1 while
    /// step &lt; H, then 1 − (step + 1 − H) / (totalSteps − H), which is 0 at the last step.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="totalSteps"/> is not positive,
    /// <paramref name="step"/> is not in [0, totalSteps) (a loop that runs past the steps it planned), or
    /// <paramref name="holdFraction"/> is not in [0, 1].</exception>
    /// <example><code>
    /// var totalSteps = epochs * batchesPerEpoch;
    /// for (var step = 0; step &lt; totalSteps; step++)
    /// {
    ///     var factor = PalSchedule.HoldThenDecay(step, totalSteps);
    ///     foreach (var layer in layers)                        // the PalLayers the objective was made with
    ///     {
    ///         objective.SetWeight(layer.Name, layer.Weight * factor);
    ///     }
    ///     // ... the step: objective.Compute(...), backward, optimizer.step()
    /// }
    /// </code></example>
    public static double HoldThenDecay(long step, long totalSteps, double holdFraction = 0.5)
    {
        if (totalSteps < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps,
                "The run needs at least one optimiser step.");
        }

        if (step < 0 || step >= totalSteps)
        {
            throw new ArgumentOutOfRangeException(nameof(step), step,
                $"The step must be in [0, {totalSteps}): the schedule was made for {totalSteps} steps, counted " +
                "from 0. A loop that runs longer needs the schedule's total raised.");
        }

        if (!(holdFraction is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(holdFraction), holdFraction,
                "The share of the run with the full λ must be in [0, 1].");
        }

        var hold = (long)Math.Floor(holdFraction * totalSteps);
        return step < hold ? 1 : 1 - (step + 1 - hold) / (double)(totalSteps - hold);
    }
}
