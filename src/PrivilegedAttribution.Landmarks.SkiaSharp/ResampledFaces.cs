namespace PrivilegedAttribution.Landmarks.SkiaSharp;

/// <summary>A dataset's faces resampled to one input size (<see cref="FaceResampler.ResampleAll"/>).</summary>
/// <param name="Faces">The faces, in record order.</param>
/// <param name="Labels">Each face's class.</param>
/// <param name="ClassNames">Class names by label.</param>
/// <param name="Problems">The records left out, each "file:line: why".</param>
public sealed record ResampledFaces(IReadOnlyList<ResampledFace> Faces, IReadOnlyList<int> Labels,
    IReadOnlyList<string> ClassNames, IReadOnlyList<string> Problems)
{
    /// <summary>Number of faces.</summary>
    public int Count => Faces.Count;
}
