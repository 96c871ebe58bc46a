namespace PrivilegedAttribution;

/// <summary>
/// What <see cref="LandmarkAugmentation"/> does to a batch; a null part is skipped. Geometry (crop, rotation,
/// translation, flip) is one warp per sample; colour jitter and erasing follow, in that order.
/// </summary>
/// <param name="Affine">Random resized crop, rotation and translation; null for none.</param>
/// <param name="FlipProbability">Chance of a horizontal flip per sample, in [0, 1].</param>
/// <param name="ColorJitter">Brightness, contrast and saturation; null for none.</param>
/// <param name="Erasing">Random erasing; null for none.</param>
/// <param name="Padding">What the warp samples outside the image: zeros (default), the border pixel, or the
/// reflection. The mask prior is always padded with zeros.</param>
/// <param name="Mirror">The left/right permutation of the landmarks used when a sample is flipped (see
/// <see cref="LandmarkMirror.Ibug68"/>); null means iBUG-68, which requires K = 68.</param>
public sealed record LandmarkAugmentationOptions(
    RandomAffineOptions? Affine = null,
    double FlipProbability = 0,
    ColorJitterOptions? ColorJitter = null,
    RandomErasingOptions? Erasing = null,
    GridSamplePaddingMode Padding = GridSamplePaddingMode.Zeros,
    IReadOnlyList<int>? Mirror = null)
{
    /// <summary>A facial-expression training recipe: <see cref="RandomAffineOptions.FacialExpression"/>, flips with
    /// probability ½, brightness/contrast/saturation ±0.2 and <see cref="RandomErasingOptions.Default"/>, border
    /// padding, iBUG-68 landmarks.</summary>
    public static LandmarkAugmentationOptions FacialExpression { get; } = new(
        RandomAffineOptions.FacialExpression, 0.5, new ColorJitterOptions(0.2, 0.2, 0.2), RandomErasingOptions.Default,
        GridSamplePaddingMode.Border);
}
