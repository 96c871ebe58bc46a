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

    /// <summary>Renders (B,1,<paramref name="outputHeight"/>,<paramref name="outputWidth"/>) on a layer's
    /// <paramref name="grid"/> (<see cref="PalLayer.Grid"/>): cell (i, j) centred on input pixel
    /// (grid.OffsetY + grid.StrideY·i, grid.OffsetX + grid.StrideX·j). The package's priors implement it; a prior of
    /// one's own supports only the default grid unless it implements this too.</summary>
    /// <param name="privileged">The batch's privileged information.</param>
    /// <param name="grid">Where the map's cells lie on the input.</param>
    /// <param name="outputHeight">Height of the map.</param>
    /// <param name="outputWidth">Width of the map.</param>
    /// <param name="visible">Optional (B,K) bool mask, for priors made of points.</param>
    /// <exception cref="NotSupportedException">The prior does not implement grids.</exception>
    Tensor render(Tensor privileged, LayerGrid grid, long outputHeight, long outputWidth, Tensor? visible = null) =>
        throw new NotSupportedException(
            $"{GetType().Name} renders only on the default grid spanning the image: implement " +
            $"IHeatmapPrior.render(privileged, grid, …) to use a PalLayer with Grid = {grid}.");

    /// <summary>Checks a batch against its images before the forward pass (shapes, batch, device, image size),
    /// failing with an <see cref="ArgumentException"/> that names the argument.</summary>
    /// <param name="images">(B,…,H,W) the model's input.</param>
    /// <param name="privileged">The batch's privileged information.</param>
    /// <param name="visible">Optional (B,K) visibility.</param>
    void CheckBatch(Tensor images, Tensor privileged, Tensor? visible);

    /// <summary>(B) bool on the privileged tensor's device, true where a sample's privileged information breaks the
    /// prior's rules (non-finite values, unit or frame mistakes), computed with no host read:
    /// <see cref="PalObjective"/> folds it into its one read per step. A prior with no such rules
    /// returns all false.</summary>
    /// <param name="privileged">The batch's privileged information.</param>
    /// <param name="visible">Optional (B,K) visibility.</param>
    Tensor Violations(Tensor privileged, Tensor? visible);
}
