namespace PrivilegedAttribution;

/// <summary>
/// The geometric part of <see cref="LandmarkAugmentation"/>: a random resized crop with a small rotation and
/// translation, applied as one affine warp per sample.
/// </summary>
/// <param name="CropArea">Range of the crop's area as a fraction of the image's area, drawn uniformly; the crop is
/// resized to the full image (values below 1 zoom in; above 1 zoom out, filling the border with
/// <see cref="LandmarkAugmentationOptions.Padding"/>). (1, 1) keeps the scale.</param>
/// <param name="AspectRatio">Range of the crop's width/height ratio relative to the image's, drawn log-uniformly.
/// (1, 1) keeps the aspect.</param>
/// <param name="RotationDegrees">The rotation is drawn uniformly in ±<c>RotationDegrees</c> about the crop's centre.
/// </param>
/// <param name="Translation">The crop's centre, drawn uniformly where the crop stays inside the image, moves by a
/// further uniform shift of up to ±<c>Translation</c> times the image's width (x) and height (y).</param>
public sealed record RandomAffineOptions(
    (double Min, double Max) CropArea,
    (double Min, double Max) AspectRatio,
    double RotationDegrees,
    double Translation)
{
    /// <summary>Settings common in facial-expression training: crops of 80–100 % of the area, aspect within ±10 %,
    /// rotation within ±10°, shifts within ±5 %.</summary>
    public static RandomAffineOptions FacialExpression { get; } = new((0.8, 1.0), (0.9, 1.1), 10, 0.05);

    /// <summary>Fails with the offending property's name when a range is empty, negative or not finite.</summary>
    internal void Validate(string argumentName)
    {
        if (!(CropArea.Min > 0) || !(CropArea.Max >= CropArea.Min) || double.IsInfinity(CropArea.Max))
        {
            throw new ArgumentOutOfRangeException(argumentName, CropArea,
                $"{argumentName}.{nameof(CropArea)} must satisfy 0 < Min ≤ Max < ∞; got {CropArea}.");
        }

        if (!(AspectRatio.Min > 0) || !(AspectRatio.Max >= AspectRatio.Min) || double.IsInfinity(AspectRatio.Max))
        {
            throw new ArgumentOutOfRangeException(argumentName, AspectRatio,
                $"{argumentName}.{nameof(AspectRatio)} must satisfy 0 < Min ≤ Max < ∞; got {AspectRatio}.");
        }

        if (!(RotationDegrees >= 0 && RotationDegrees <= 180))
        {
            throw new ArgumentOutOfRangeException(argumentName, RotationDegrees,
                $"{argumentName}.{nameof(RotationDegrees)} must lie in [0, 180]; got {RotationDegrees}.");
        }

        if (!(Translation >= 0) || double.IsInfinity(Translation))
        {
            throw new ArgumentOutOfRangeException(argumentName, Translation,
                $"{argumentName}.{nameof(Translation)} must be finite and ≥ 0; got {Translation}.");
        }
    }
}
