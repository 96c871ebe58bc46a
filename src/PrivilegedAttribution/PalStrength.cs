namespace PrivilegedAttribution;

/// <summary>
/// Chooses PAL's strength λ on the user's own validation data: one training run per candidate, λ = 0 (plain training)
/// among them, and PAL only where it beats plain training by more than the validation set's noise.
/// </summary>
/// <remarks>
/// <para>No single λ suits every data set: λ = 3 (the mean of the channels, Pearson's normalisation, with
/// <see cref="PalSchedule.HoldThenDecay"/>) was chosen on MNIST's validation digits and gains up to 11 points there,
/// but on cluttered Fashion-MNIST, which was not used to choose it, it cost 2 points at 1,000 training images. This
/// procedure makes the choice where the data are: it trains one model per candidate, compares each PAL model with the
/// plain one on the same validation examples (a paired comparison, which cancels the examples that are easy or hard for
/// both), and keeps the most accurate PAL model whose advantage exceeds <c>margin</c> standard errors of the paired
/// difference. When none does, it chooses 0: on this data, PAL's benefit is not measurable and plain training is the
/// safer model.</para>
/// <para>Cost: one training run per candidate; with <see cref="DefaultCandidates"/>, the plain model a careful user
/// trains anyway as a baseline and three PAL runs. The default margin was chosen on MNIST's validation digits only
/// (one half of the validation split chooses, the other half scores the choice: margins from 0 to 1.5 gained the same,
/// one standard error halved the choices below plain training); the "Getting started" page gives what the choice
/// gained on MNIST and on cluttered Fashion-MNIST, which was not used to choose anything. The comparison is only as
/// good as the validation split is large: with 1,000 examples one standard error is about one point. Not in PAL's
/// paper, which fixes λ per experiment.</para>
/// </remarks>
public static class PalStrength
{
    /// <summary>λ = 0 (plain training, the baseline), 1, 3 and 10: PAL's λ spans about a factor of ten around 3 with
    /// the mean of the channels and Pearson's normalisation (a term in [−1, 1]).</summary>
    public static IReadOnlyList<double> DefaultCandidates { get; } = [0, 1, 3, 10];

    /// <summary>The default <c>margin</c> of <see cref="Choose"/>: a PAL model must beat the plain one by more than
    /// one standard error of the paired difference.</summary>
    public const double DefaultMargin = 1;

    /// <summary>
    /// Trains (through <paramref name="correctOnValidation"/>) one model per candidate λ and returns the λ to use.
    /// </summary>
    /// <param name="candidates">The λ values to try: finite, ≥ 0, distinct, and including 0 (plain training, the
    /// baseline every other candidate is compared with).</param>
    /// <param name="correctOnValidation">Trains a model with the given λ and returns which validation examples it
    /// classifies correctly: a 1-D bool tensor on any device, e.g. <c>model.call(x).argmax(1).eq(y)</c>, with the
    /// same examples in the same order for every λ. It is called once per candidate, in ascending order of λ; the
    /// returned tensor is read once and disposed here.</param>
    /// <param name="margin">How many standard errors of the paired difference a PAL model's validation accuracy must
    /// exceed the plain model's by to be chosen: ≥ 0 (0: any advantage).</param>
    /// <returns>The chosen λ with every candidate's validation figures.</returns>
    /// <exception cref="ArgumentException">A candidate is negative, not finite or repeated, 0 is missing, or
    /// <paramref name="margin"/> is negative or not finite; a returned tensor is null, disposed, not bool, not 1-D,
    /// has fewer than 2 examples or a different number of examples than the first.</exception>
    /// <example><code>
    /// var choice = PalStrength.Choose(PalStrength.DefaultCandidates, lambda =>
    /// {
    ///     using var model = TrainMyModel(lambda);           // the user's loop; λ = 0 trains without PAL
    ///     using var noGrad = torch.no_grad();
    ///     return model.call(validationImages).argmax(1).eq(validationLabels);
    /// });
    /// Console.WriteLine(choice);                              // a table: λ, accuracy, difference to plain, SE
    /// var lambda = choice.Lambda;
    /// </code></example>
    public static PalStrengthChoice Choose(IReadOnlyList<double> candidates, Func<double, Tensor> correctOnValidation,
        double margin = DefaultMargin)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(correctOnValidation);
        CheckCandidates(candidates);
        if (!double.IsFinite(margin) || margin < 0)
        {
            throw new ArgumentException($"margin must be a finite number ≥ 0 (standard errors); got {margin}.",
                nameof(margin));
        }

        var ordered = candidates.Order().ToArray();
        var correct = new bool[ordered.Length][];
        for (var i = 0; i < ordered.Length; i++)
        {
            correct[i] = Read(correctOnValidation(ordered[i]), ordered[i], i == 0 ? null : correct[0].Length,
                nameof(correctOnValidation));
        }

        var plain = correct[0];
        var scored = ordered.Select((lambda, i) => Score(lambda, correct[i], plain, margin)).ToArray();
        var chosen = scored.Where(c => c.BeatsPlain).OrderByDescending(c => c.Accuracy).ThenBy(c => c.Lambda)
            .Select(c => c.Lambda).DefaultIfEmpty(0).First();
        return new PalStrengthChoice(chosen, margin, scored);
    }

    private static void CheckCandidates(IReadOnlyList<double> candidates)
    {
        foreach (var lambda in candidates)
        {
            if (!double.IsFinite(lambda) || lambda < 0)
            {
                throw new ArgumentException(
                    $"candidates must be finite λ values ≥ 0; got {lambda} in [{string.Join(", ", candidates)}].",
                    nameof(candidates));
            }
        }

        if (candidates.Distinct().Count() != candidates.Count)
        {
            throw new ArgumentException(
                $"candidates must be distinct; got [{string.Join(", ", candidates)}].", nameof(candidates));
        }

        if (!candidates.Contains(0))
        {
            throw new ArgumentException(
                $"candidates must include 0 (plain training, the baseline each PAL model is compared with); got " +
                $"[{string.Join(", ", candidates)}].", nameof(candidates));
        }
    }

    /// <summary>Copies a candidate's correctness flags to the host (one read per training run) and disposes them.
    /// </summary>
    private static bool[] Read(Tensor? flags, double lambda, int? examples, string name)
    {
        if (flags is null)
        {
            throw new ArgumentException($"{name} returned null for λ = {lambda}; it must return a 1-D bool tensor.",
                name);
        }

        using (flags)
        {
            if (flags.IsInvalid)
            {
                throw new ArgumentException(
                    $"{name} returned a disposed tensor for λ = {lambda}: return it from outside the dispose scope " +
                    "that ends with the callback (e.g. detach it with MoveToOuterDisposeScope()).", name);
            }

            if (flags.dtype != ScalarType.Bool || flags.dim() != 1)
            {
                throw new ArgumentException(
                    $"{name} must return a 1-D bool tensor (which validation examples are classified correctly, " +
                    $"e.g. logits.argmax(1).eq(labels)); for λ = {lambda} it returned {flags.dtype} of shape " +
                    $"{TensorChecks.Shape(flags)}.", name);
            }

            if (flags.shape[0] < 2 || (examples is { } n && flags.shape[0] != n))
            {
                throw new ArgumentException(
                    $"{name} must return the same validation examples for every λ, at least 2; for λ = {lambda} it " +
                    $"returned {flags.shape[0]}" + (examples is { } m ? $", for λ = 0 {m}." : "."), name);
            }

            return HostReads.Flags(flags);
        }
    }

    /// <summary>A candidate's accuracy and its paired difference to plain training: each example contributes
    /// +1 (only this model is right), −1 (only plain is) or 0, and the standard error is the sample standard
    /// deviation of those contributions over √n.</summary>
    private static PalStrengthCandidate Score(double lambda, bool[] correct, bool[] plain, double margin)
    {
        var n = correct.Length;
        int right = 0, gained = 0, lost = 0;
        for (var i = 0; i < n; i++)
        {
            right += correct[i] ? 1 : 0;
            gained += correct[i] && !plain[i] ? 1 : 0;
            lost += !correct[i] && plain[i] ? 1 : 0;
        }

        var difference = (gained - lost) / (double)n;
        var variance = (gained + lost - (gained - lost) * (double)(gained - lost) / n) / (n - 1);
        var standardError = Math.Sqrt(Math.Max(0, variance) / n);
        var beatsPlain = lambda > 0 && difference > 0 && difference > margin * standardError;
        return new PalStrengthCandidate(lambda, right / (double)n, difference, standardError, n, beatsPlain);
    }
}
