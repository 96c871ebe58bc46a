namespace PrivilegedAttribution.Landmarks.Datasets;

/// <summary>One labelled face of a dataset.</summary>
/// <param name="ImagePath">Absolute path of the image file.</param>
/// <param name="Label">Class index in [0, class count).</param>
/// <param name="Box">The face box in the image; null for an aligned crop, whose box is
/// <see cref="FaceBox.ForAlignedCrop"/>.</param>
/// <param name="Landmarks">68 points as x0, y0, …, x67, y67 in image pixels; null where the dataset has none
/// (then <see cref="LandmarkCache"/> predicts them).</param>
/// <param name="Source">The file the record came from.</param>
/// <param name="Line">Its 1-based line in <paramref name="Source"/>.</param>
public sealed record FaceRecord(string ImagePath, int Label, FaceBox? Box, float[]? Landmarks, string Source, int Line)
{
    /// <summary>Where the record came from, as "file:line".</summary>
    public string Location => $"{Source}:{Line}";
}
