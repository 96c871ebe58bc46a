namespace PrivilegedAttribution;

/// <summary>One layer's PAL term in a <see cref="PalObjectiveOutput"/>.</summary>
/// <param name="Layer">The layer's configuration.</param>
/// <param name="Loss">The unweighted PAL value (scalar, with graph).</param>
public sealed record PalLayerTerm(PalLayer Layer, Tensor Loss);

/// <summary>The terms of one batch's PAL training objective; every tensor carries its graph and lives in the
/// caller's dispose scope.</summary>
/// <param name="Logits">(B,K) logits of the batch.</param>
/// <param name="CrossEntropy">The mean cross-entropy.</param>
/// <param name="Terms">Each layer's unweighted PAL term.</param>
/// <param name="Total">CE + Σ λ_l·PAL_l: call <c>backward()</c> on it.</param>
public sealed record PalObjectiveOutput(
    Tensor Logits,
    Tensor CrossEntropy,
    IReadOnlyList<PalLayerTerm> Terms,
    Tensor Total);
