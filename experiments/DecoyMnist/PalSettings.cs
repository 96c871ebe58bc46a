namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>How the PAL model is trained.</summary>
/// <param name="Layer">The tapped layer of <see cref="SmallCnn"/>.</param>
/// <param name="Lambda">λ, PAL's weight beside the cross-entropy.</param>
/// <param name="Strategy">Channel strategy.</param>
/// <param name="Sigma">Width of the ink heatmap's Gaussians, in input pixels.</param>
/// <param name="Target">The score whose attribution is constrained.</param>
/// <param name="Method">How gradient and activation combine.</param>
/// <param name="Normalization">Pearson (default) or the paper's cross-correlation.</param>
/// <param name="WarmupSteps">λ grows linearly from λ/N to λ over the first N optimiser steps (0: constant λ). Not in
/// the paper: a schedule tried against PAL's cost in clean accuracy.</param>
/// <param name="DecayStart">With <paramref name="DecaySteps"/> &gt; 0: after this many optimiser steps λ falls
/// linearly to 0 over the next <paramref name="DecaySteps"/> steps and stays 0. Not in the paper: tried against PAL's
/// cost in clean accuracy (the network first learns where to look, then the cross-entropy alone refines).</param>
/// <param name="DecaySteps">Length of the decay (0: none).</param>
/// <param name="SecondOrder">Whether PAL trains through the gradient factor (<see cref="PalLayer.SecondOrder"/>;
/// false for the first-order variants).</param>
/// <param name="HoldThenDecay">λ at full strength for the first half of the run's optimiser steps, then falling
/// linearly to 0 at the last step (the package's <see cref="PalSchedule.HoldThenDecay"/>; the small-data protocol's
/// default). Not in the paper.</param>
public sealed record PalSettings(
    string Layer,
    double Lambda,
    ChannelStrategy Strategy,
    double Sigma,
    AttributionTarget Target,
    AttributionMethod Method,
    PalNormalization Normalization = PalNormalization.Pearson,
    int WarmupSteps = 0,
    int DecayStart = 0,
    int DecaySteps = 0,
    bool SecondOrder = true,
    bool HoldThenDecay = false)
{
    /// <summary>Whether λ changes during training.</summary>
    public bool HasSchedule => WarmupSteps > 0 || DecaySteps > 0 || HoldThenDecay;

    /// <summary>λ at optimiser step <paramref name="step"/> (1-based) of a run of <paramref name="totalSteps"/> steps.
    /// </summary>
    public double LambdaAt(long step, long totalSteps)
    {
        var warmup = WarmupSteps > 0 ? Math.Min(1.0, step / (double)WarmupSteps) : 1.0;
        var decay = DecaySteps > 0 ? Math.Clamp(1.0 - (step - DecayStart) / (double)DecaySteps, 0.0, 1.0) : 1.0;
        var held = HoldThenDecay ? PalSchedule.HoldThenDecay(step - 1, totalSteps) : 1.0;
        return Lambda * warmup * decay * held;
    }

    /// <summary>A compact description for tables (normalisation, warm-up and order only when they are not the
    /// default).</summary>
    public override string ToString() =>
        FormattableString.Invariant($"{Layer}, λ={Lambda}, {Strategy}, σ={Sigma}, {Target}, {Method}") +
        (Normalization == PalNormalization.Pearson ? "" : $", {Normalization}") +
        (WarmupSteps == 0 ? "" : FormattableString.Invariant($", λ warm-up {WarmupSteps} steps")) +
        (DecaySteps == 0
            ? ""
            : FormattableString.Invariant($", λ → 0 over steps {DecayStart}–{DecayStart + DecaySteps}")) +
        (SecondOrder ? "" : ", first order") +
        (HoldThenDecay ? ", λ held for half the steps, then → 0" : "");
}

/// <summary>How the Right-for-the-Right-Reasons model is trained.</summary>
/// <param name="Lambda">λ, the penalty's weight beside the mean cross-entropy (Ross et al. use 1000).</param>
/// <param name="Annotation">Which region is penalised.</param>
/// <param name="Sigma">Blur of the ink that defines "near the digit", in input pixels.</param>
/// <param name="Threshold">Pixels whose blurred ink (peak 1) is below this are irrelevant.</param>
public sealed record RightReasonsSettings(double Lambda, RightReasonsAnnotation Annotation, double Sigma,
    double Threshold)
{
    /// <summary>A compact description for tables.</summary>
    public override string ToString() => Annotation == RightReasonsAnnotation.Background
        ? FormattableString.Invariant($"λ={Lambda}, background (blurred ink σ={Sigma} < {Threshold})")
        : FormattableString.Invariant($"λ={Lambda}, decoy patch");
}

/// <summary>The region the Right-for-the-Right-Reasons penalty forbids.</summary>
public enum RightReasonsAnnotation
{
    /// <summary>Everything away from the digit's ink: the same privileged information PAL gets.</summary>
    Background,

    /// <summary>The decoy patch itself, as Ross et al. annotate Decoy MNIST (it presumes the shortcut is known).
    /// </summary>
    DecoyPatch,
}
