namespace PrivilegedAttribution;

/// <summary>
/// A prior whose heatmap depends on each sample's class as well as its privileged information, such as
/// <see cref="ActionUnitPrior"/> (a happy face's lip corners and cheeks, a surprised face's brows and eyes).
/// <see cref="PalObjective"/> renders it with the batch's labels; like every prior it is used at training time only.
/// The label-free <see cref="IHeatmapPrior.render(Tensor, long, long, Tensor?)"/> renders what the prior shows
/// without a class (for <see cref="ActionUnitPrior"/>, every class's units together).
/// </summary>
public interface IClassConditionalPrior : IHeatmapPrior
{
    /// <summary>The number of classes the prior has a map for: labels lie in [0, ClassCount), and a model trained
    /// with it has this many outputs.</summary>
    int ClassCount { get; }

    /// <summary>Renders (B,1,<paramref name="outputHeight"/>,<paramref name="outputWidth"/>) on the privileged
    /// tensor's device, sample b's map chosen by <paramref name="labels"/>[b], each map in [0, 1].</summary>
    /// <param name="privileged">The batch's privileged information, e.g. (B,K,2) landmarks.</param>
    /// <param name="labels">(B) int64 class indices in [0, <see cref="ClassCount"/>), on the privileged tensor's
    /// device.</param>
    /// <param name="outputHeight">Height of the map (a tapped layer's h).</param>
    /// <param name="outputWidth">Width of the map.</param>
    /// <param name="visible">Optional (B,K) bool mask, for priors made of points.</param>
    Tensor render(Tensor privileged, Tensor labels, long outputHeight, long outputWidth, Tensor? visible = null);

    /// <summary>Renders as <see cref="render(Tensor, Tensor, long, long, Tensor?)"/> on a layer's
    /// <paramref name="grid"/> (<see cref="PalLayer.Grid"/>; see
    /// <see cref="IHeatmapPrior.render(Tensor, LayerGrid, long, long, Tensor?)"/>).</summary>
    /// <param name="privileged">The batch's privileged information.</param>
    /// <param name="labels">(B) int64 class indices.</param>
    /// <param name="grid">Where the map's cells lie on the input.</param>
    /// <param name="outputHeight">Height of the map.</param>
    /// <param name="outputWidth">Width of the map.</param>
    /// <param name="visible">Optional (B,K) bool mask.</param>
    /// <exception cref="NotSupportedException">The prior does not implement grids.</exception>
    Tensor render(Tensor privileged, Tensor labels, LayerGrid grid, long outputHeight, long outputWidth,
        Tensor? visible = null) =>
        throw new NotSupportedException(
            $"{GetType().Name} renders only on the default grid spanning the image: implement " +
            $"IClassConditionalPrior.render(privileged, labels, grid, …) to use a PalLayer with Grid = {grid}.");
}
