namespace PrivilegedAttribution;

/// <summary>
/// A privileged prior that <see cref="PalObjective"/> renders at each tapped layer's size: landmarks
/// (<see cref="HeatmapPrior"/>), a mask such as an object's ink (<see cref="MaskHeatmapPrior"/>), or a user's own.
/// The privileged tensor is whatever the prior renders from; it exists at training time only.
/// </summary>
public interface IHeatmapPrior
{
    /// <summary>Renders (B,1,<paramref name="outputHeight"/>,<paramref name="outputWidth"/>) on the privileged
    /// tensor's device, each sample's map in [0, 1].</summary>
    /// <param name="privileged">The batch's privileged information, e.g. (B,K,2) landmarks.</param>
    /// <param name="outputHeight">Height of the map (a tapped layer's h).</param>
    /// <param name="outputWidth">Width of the map.</param>
    /// <param name="visible">Optional (B,K) bool mask, for priors made of points.</param>
    Tensor render(Tensor privileged, long outputHeight, long outputWidth, Tensor? visible = null);

    /// <summary>Checks a batch against its images before the forward pass (shapes, batch, device, image size),
    /// failing with an <see cref="ArgumentException"/> that names the argument.</summary>
    /// <param name="images">(B,…,H,W) the model's input.</param>
    /// <param name="privileged">The batch's privileged information.</param>
    /// <param name="visible">Optional (B,K) visibility.</param>
    void CheckBatch(Tensor images, Tensor privileged, Tensor? visible);

    /// <summary>(B) bool on the privileged tensor's device, true where a sample's privileged information breaks the
    /// prior's rules (non-finite values, unit or frame mistakes), computed with no host read:
    /// <see cref="PalObjective.GuardNonFinite"/> folds it into its one read per step. A prior with no such rules
    /// returns all false.</summary>
    /// <param name="privileged">The batch's privileged information.</param>
    /// <param name="visible">Optional (B,K) visibility.</param>
    Tensor Violations(Tensor privileged, Tensor? visible);
}
