namespace PrivilegedAttribution;

/// <summary>
/// Random photometric changes of <see cref="LandmarkAugmentation"/>, applied in this order, each factor drawn
/// uniformly in [1 − s, 1 + s] per sample: brightness (image × b), contrast (blend with the image's mean grey
/// level), saturation (blend with each pixel's grey level; 3-channel RGB images only). Grey is
/// 0.299·R + 0.587·G + 0.114·B; for images that are not 3-channel, contrast blends with the mean over all channels.
/// They leave landmarks, visibility and mask untouched.
/// </summary>
/// <param name="Brightness">Strength s of the brightness change, in [0, 1].</param>
/// <param name="Contrast">Strength s of the contrast change, in [0, 1].</param>
/// <param name="Saturation">Strength s of the saturation change, in [0, 1]; must be 0 for images that do not have
/// 3 channels.</param>
/// <param name="ClampToUnitRange">Clamp the result to [0, 1], as for images in [0, 1] before normalisation
/// (the default). Turn it off for images already normalised.</param>
public sealed record ColorJitterOptions(
    double Brightness,
    double Contrast,
    double Saturation,
    bool ClampToUnitRange = true)
{
    /// <summary>Fails with the offending property's name when a strength lies outside [0, 1].</summary>
    internal void Validate(string argumentName)
    {
        foreach (var (value, name) in new[]
                 {
                     (Brightness, nameof(Brightness)), (Contrast, nameof(Contrast)), (Saturation, nameof(Saturation)),
                 })
        {
            if (!(value >= 0 && value <= 1))
            {
                throw new ArgumentOutOfRangeException(argumentName, value,
                    $"{argumentName}.{name} must lie in [0, 1]; got {value}.");
            }
        }
    }
}
