namespace PrivilegedAttribution;

/// <summary>One layer's PAL term in a <see cref="PalObjectiveOutput"/>.</summary>
/// <param name="Layer">The layer's configuration, with the weight the step used.</param>
/// <param name="Loss">The unweighted PAL value (scalar, with graph).</param>
public sealed record PalLayerTerm(PalLayer Layer, Tensor Loss);

/// <summary>The terms of one batch's PAL training objective; every tensor carries its graph and lives in the
/// caller's dispose scope.</summary>
/// <param name="Logits">(B,K) outputs of the model for the batch.</param>
/// <param name="Criterion">The criterion's value: the objective's <see cref="PalObjective.Criterion"/>, or the mean
/// cross-entropy when it has none.</param>
/// <param name="Terms">Each layer's unweighted PAL term.</param>
/// <param name="Total">Criterion + Σ λ_l·PAL_l: call <c>backward()</c> on it.</param>
public sealed record PalObjectiveOutput(
    Tensor Logits,
    Tensor Criterion,
    IReadOnlyList<PalLayerTerm> Terms,
    Tensor Total)
{
    /// <summary>The criterion's value, named before the criterion could be chosen: it is cross-entropy only when
    /// the objective has no criterion of its own. Use <see cref="Criterion"/>.</summary>
    [Obsolete("Use Criterion: with a criterion of the loop's own, this value is that criterion, not cross-entropy.")]
    public Tensor CrossEntropy => Criterion;
}
