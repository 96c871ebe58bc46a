namespace PrivilegedAttribution;

/// <summary>The package's own priors, which <see cref="PalObjective"/> renders without their value checks: it
/// checks the batch's shapes once (<see cref="IHeatmapPrior.CheckBatch"/>) and folds
/// <see cref="IHeatmapPrior.Violations"/> into its one host read per step.</summary>
internal interface IValueCheckedPrior
{
    /// <summary>Renders (B,1,h,w) on <paramref name="grid"/> (null: spanning the image) with no host read.</summary>
    Tensor RenderOfChecked(Tensor privileged, long outputHeight, long outputWidth, LayerGrid? grid, Tensor? visible);

    /// <summary>Renders for a batch whose (B) int64 <paramref name="labels"/> are checked too (in range for an
    /// <see cref="IClassConditionalPrior"/>); a prior that does not depend on the class ignores them.</summary>
    Tensor RenderOfChecked(Tensor privileged, Tensor labels, long outputHeight, long outputWidth, LayerGrid? grid,
        Tensor? visible) => RenderOfChecked(privileged, outputHeight, outputWidth, grid, visible);
}
