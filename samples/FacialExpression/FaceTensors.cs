using PrivilegedAttribution.Landmarks.SkiaSharp;
using static TorchSharp.torch;

/// <summary>Resampled faces as the tensors a training step takes.</summary>
internal static class FaceTensors
{
    private static readonly float[] Zero = [0, 0, 0], One = [1, 1, 1];

    /// <summary>The faces of <paramref name="rows"/>: images (B,3,S,S) in [0, 1] (augment them there, then
    /// <see cref="Normalise"/>), labels (B) and landmarks (B,68,2) as (x, y) in the S×S image's pixels.</summary>
    public static (Tensor Images, Tensor Labels, Tensor Landmarks) Batch(ResampledFaces faces, int[] rows)
    {
        var first = faces.Faces[rows[0]];
        return (tensor(rows.SelectMany(i => faces.Faces[i].ToChannelsFirst(Zero, One)).ToArray(),
                [rows.Length, 3, first.Size, first.Size]),
            tensor(rows.Select(i => (long)faces.Labels[i]).ToArray()),
            tensor(rows.SelectMany(i => faces.Faces[i].Landmarks).ToArray(),
                [rows.Length, first.Landmarks.Length / 2, 2]));
    }

    /// <summary>Images in [0, 1] normalised with ImageNet's mean and standard deviation, as the pretrained
    /// backbones expect.</summary>
    public static Tensor Normalise(Tensor images) =>
        (images - tensor(ResampledFace.ImageNetMean.ToArray()).view(1, 3, 1, 1)) /
        tensor(ResampledFace.ImageNetStd.ToArray()).view(1, 3, 1, 1);
}
