namespace PrivilegedAttribution;

/// <summary>The package's own priors, which <see cref="PalObjective"/> renders without their value checks: it
/// checks the batch's shapes once (<see cref="IHeatmapPrior.CheckBatch"/>) and folds
/// <see cref="IHeatmapPrior.Violations"/> into its one host read per step.</summary>
internal interface IValueCheckedPrior
{
    /// <summary>Renders (B,1,h,w) on <paramref name="grid"/> (null: spanning the image) with no host read.</summary>
    Tensor RenderOfChecked(Tensor privileged, long outputHeight, long outputWidth, LayerGrid? grid, Tensor? visible);
}
