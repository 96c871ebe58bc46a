namespace PrivilegedAttribution;

/// <summary>
/// Random erasing (Zhong et al. 2020) in <see cref="LandmarkAugmentation"/>: with probability
/// <see cref="Probability"/> per sample, a rectangle of random area and aspect, lying wholly inside the image, is
/// filled with <see cref="Value"/>.
/// </summary>
/// <remarks>By default the landmarks under the patch stay visible and the mask prior is unchanged: an occluded eye
/// is still where the eye is, and the prior keeps telling the network where the evidence belongs, as with a real
/// occlusion (a hand or glasses). Set <see cref="HideErasedLandmarks"/> to mark them invisible instead (a landmark is under
/// the patch when the pixel it lies in is erased), so that the prior stops pointing at pixels that carry no
/// information.</remarks>
/// <param name="Probability">Chance that a sample gets a patch, in [0, 1].</param>
/// <param name="Area">Range of the patch's area as a fraction of the image's area, drawn uniformly, in (0, 1].
/// </param>
/// <param name="AspectRatio">Range of the patch's width/height ratio, drawn log-uniformly. A side longer than the
/// image is shortened to the image's side.</param>
/// <param name="Value">The fill value (every channel).</param>
/// <param name="HideErasedLandmarks">Mark landmarks under the patch invisible (default false: they stay visible).
/// </param>
public sealed record RandomErasingOptions(
    double Probability,
    (double Min, double Max) Area,
    (double Min, double Max) AspectRatio,
    double Value = 0,
    bool HideErasedLandmarks = false)
{
    /// <summary>The published defaults (torchvision's too): probability ½, area 2–33 %, aspect 0.3–3.3, fill 0.
    /// </summary>
    public static RandomErasingOptions Default { get; } = new(0.5, (0.02, 0.33), (0.3, 3.3));

    /// <summary>Fails with the offending property's name when a value is out of range.</summary>
    internal void Validate(string argumentName)
    {
        if (!(Probability >= 0 && Probability <= 1))
        {
            throw new ArgumentOutOfRangeException(argumentName, Probability,
                $"{argumentName}.{nameof(Probability)} must lie in [0, 1]; got {Probability}.");
        }

        if (!(Area.Min > 0) || !(Area.Max >= Area.Min) || !(Area.Max <= 1))
        {
            throw new ArgumentOutOfRangeException(argumentName, Area,
                $"{argumentName}.{nameof(Area)} must satisfy 0 < Min ≤ Max ≤ 1; got {Area}.");
        }

        if (!(AspectRatio.Min > 0) || !(AspectRatio.Max >= AspectRatio.Min) || double.IsInfinity(AspectRatio.Max))
        {
            throw new ArgumentOutOfRangeException(argumentName, AspectRatio,
                $"{argumentName}.{nameof(AspectRatio)} must satisfy 0 < Min ≤ Max < ∞; got {AspectRatio}.");
        }

        if (!double.IsFinite(Value))
        {
            throw new ArgumentOutOfRangeException(argumentName, Value,
                $"{argumentName}.{nameof(Value)} must be finite; got {Value}.");
        }
    }
}
