namespace PrivilegedAttribution.Landmarks.SkiaSharp;

/// <summary>
/// A face resampled to a network's square input, with its landmarks carried by the same transform
/// (<see cref="FaceResampler"/> makes it). The pixels stay bytes (3·S² a face) until a batch needs them:
/// <see cref="ToChannelsFirst"/> gives the float layout a (3,S,S) tensor takes, and <see cref="Mirrored"/> flips
/// image and landmarks together.
/// </summary>
/// <param name="Size">S, the side in pixels.</param>
/// <param name="Rgb">S·S·3 bytes, row by row, pixel by pixel.</param>
/// <param name="Landmarks">(x, y) pairs in the S×S image's pixels (pixel centres at integers).</param>
public sealed record ResampledFace(int Size, byte[] Rgb, float[] Landmarks)
{
    /// <summary>ImageNet's per-channel mean (R, G, B) of values in [0, 1], which torchvision's pretrained backbones
    /// expect subtracted.</summary>
    public static IReadOnlyList<float> ImageNetMean { get; } = [0.485f, 0.456f, 0.406f];

    /// <summary>ImageNet's per-channel standard deviation (R, G, B) of values in [0, 1].</summary>
    public static IReadOnlyList<float> ImageNetStd { get; } = [0.229f, 0.224f, 0.225f];

    /// <summary>The iBUG-68 index each landmark takes in a mirrored face: the left and right jaw, brow, eye, nostril
    /// and mouth points swap; the nose ridge and the mouth's middle points keep theirs.</summary>
    public static IReadOnlyList<int> Ibug68MirrorOrder { get; } = BuildMirrorOrder();

    /// <summary>The pixels as (3·S·S) floats, channel by channel (R plane, G plane, B plane), each value
    /// (v / 255 − mean[c]) / std[c]; <see cref="ImageNetMean"/> and <see cref="ImageNetStd"/> when null.</summary>
    /// <exception cref="ArgumentException"><paramref name="mean"/> or <paramref name="std"/> has not three values,
    /// or a standard deviation is not positive.</exception>
    public float[] ToChannelsFirst(IReadOnlyList<float>? mean = null, IReadOnlyList<float>? std = null)
    {
        mean ??= ImageNetMean;
        std ??= ImageNetStd;
        if (mean.Count != 3 || std.Count != 3 || std.Any(s => !(s > 0)))
        {
            throw new ArgumentException($"Expected three means and three positive standard deviations (R, G, B); " +
                                        $"got [{string.Join(", ", mean)}] and [{string.Join(", ", std)}].",
                mean.Count != 3 ? nameof(mean) : nameof(std));
        }

        var pixels = Size * Size;
        var planes = new float[3 * pixels];
        for (var c = 0; c < 3; c++)
        {
            for (var p = 0; p < pixels; p++)
            {
                planes[c * pixels + p] = (Rgb[3 * p + c] / 255f - mean[c]) / std[c];
            }
        }

        return planes;
    }

    /// <summary>The face mirrored left to right: pixel column x becomes S − 1 − x, and so does each landmark's x.
    /// With 68 landmarks the points are also renumbered by <see cref="Ibug68MirrorOrder"/>, so that point 36 is
    /// still the outer corner of the eye on the image's left; other counts keep their order.</summary>
    public ResampledFace Mirrored()
    {
        var rgb = new byte[Rgb.Length];
        for (var y = 0; y < Size; y++)
        {
            for (var x = 0; x < Size; x++)
            {
                Array.Copy(Rgb, 3 * (y * Size + x), rgb, 3 * (y * Size + Size - 1 - x), 3);
            }
        }

        var count = Landmarks.Length / 2;
        var landmarks = new float[Landmarks.Length];
        for (var k = 0; k < count; k++)
        {
            var target = count == 68 ? Ibug68MirrorOrder[k] : k;
            landmarks[2 * target] = Size - 1 - Landmarks[2 * k];
            landmarks[2 * target + 1] = Landmarks[2 * k + 1];
        }

        return new ResampledFace(Size, rgb, landmarks);
    }

    private static int[] BuildMirrorOrder()
    {
        var order = Enumerable.Range(0, 68).ToArray();
        void Swap(int first, int last, int count)
        {
            for (var i = 0; i < count; i++)
            {
                (order[first + i], order[last - i]) = (last - i, first + i);
            }
        }

        Swap(0, 16, 8);     // jaw 0–16, 8 the chin
        Swap(17, 26, 5);    // brows 17–21 ↔ 26–22
        Swap(31, 35, 2);    // nostrils 31–35, 33 the middle
        Swap(36, 45, 4);    // eyes: 36–39 ↔ 45–42 (outer corner, upper lid, inner corner)
        Swap(40, 47, 2);    // lower lids: 40–41 ↔ 47–46
        Swap(48, 54, 3);    // outer lip, upper: 48–50 ↔ 54–52
        Swap(55, 59, 2);    // outer lip, lower: 55–56 ↔ 59–58
        Swap(60, 64, 2);    // inner lip, upper: 60–61 ↔ 64–63
        Swap(65, 67, 1);    // inner lip, lower: 65 ↔ 67
        return order;
    }
}
