using static TorchSharp.torch;

namespace PrivilegedAttribution.Samples;

/// <summary><see cref="FaceImages"/> (a face folder resampled to the input size, 68 landmarks each) read as
/// <see cref="ILandmarkedImages"/>.</summary>
public sealed class FaceFolderImages(FaceImages faces) : ILandmarkedImages
{
    /// <inheritdoc />
    public long Count => faces.Count;

    /// <inheritdoc />
    public Tensor Labels { get; } = tensor(faces.Labels.Select(l => (long)l).ToArray());

    /// <inheritdoc />
    public (Tensor Images, Tensor Labels, Tensor Landmarks, Tensor Visible) Batch(Tensor index)
    {
        var (images, labels, landmarks) = faces.Batch(index.data<long>().Select(i => (int)i).ToArray());
        return (images, labels, landmarks, ones(landmarks.shape[0], landmarks.shape[1], dtype: ScalarType.Bool));
    }

    /// <inheritdoc />
    public Tensor ForDisplay(Tensor images) => FaceImages.Denormalise(images);

    /// <inheritdoc />
    public void Dispose() => Labels.Dispose();
}
