using static TorchSharp.torch;

namespace PrivilegedAttribution.Samples;

/// <summary>Labelled images with landmarks (privileged information: used in training only), read by batches.
/// </summary>
public interface ILandmarkedImages : IDisposable
{
    /// <summary>Number of images.</summary>
    long Count { get; }

    /// <summary>(N) int64 classes.</summary>
    Tensor Labels { get; }

    /// <summary>The rows <paramref name="index"/>: images (B,3,S,S) as the network takes them, labels (B),
    /// landmarks (B,K,2) in input pixels and which of them exist (B,K).</summary>
    (Tensor Images, Tensor Labels, Tensor Landmarks, Tensor Visible) Batch(Tensor index);

    /// <summary>Network inputs back to [0, 1] for drawing.</summary>
    Tensor ForDisplay(Tensor images);
}
