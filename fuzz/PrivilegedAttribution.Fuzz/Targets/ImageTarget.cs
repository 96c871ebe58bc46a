using PrivilegedAttribution.Landmarks.Datasets;
using PrivilegedAttribution.Landmarks.SkiaSharp;

namespace PrivilegedAttribution.Fuzz.Targets;

/// <summary>The image path of the samples: <see cref="SkiaGrayImageDecoder.Decode"/> on the input as an image
/// file, then <see cref="FaceResampler.Resample(FaceRecord, int)"/> of the whole image (which decodes it again, as
/// the samples do) with 68 landmarks.</summary>
internal sealed class ImageTarget : FuzzTarget
{
    private const int Size = 16;

    private static readonly float[] Landmarks = Enumerable.Range(0, 136).Select(i => i % 7 + 0.5f).ToArray();

    public override string Name => "image";

    public override string Description =>
        "image file (PNG, JPEG, GIF, BMP, WebP, …): SkiaGrayImageDecoder.Decode, then FaceResampler.Resample";

    public override void Run(byte[] input, string folder)
    {
        var path = Path.Combine(folder, "face.img");
        File.WriteAllBytes(path, input);
        var gray = SkiaGrayImageDecoder.Instance.Decode(path);
        if (gray.Pixels.Length != (long)gray.Width * gray.Height ||
            (long)gray.Width * gray.Height > SkiaImages.MaxPixelCount)
        {
            throw new FuzzFindingException($"a {gray.Width}×{gray.Height} image of {gray.Pixels.Length} pixels");
        }

        var face = FaceResampler.Resample(new FaceRecord(path, 0, null, Landmarks, path, 1), Size);
        if (face.Rgb.Length != Size * Size * 3 || face.Landmarks.Length != Landmarks.Length)
        {
            throw new FuzzFindingException($"a resampled face of {face.Rgb.Length} bytes and " +
                $"{face.Landmarks.Length} landmark values");
        }
    }

    /// <summary>The decoder documents <see cref="InvalidDataException"/> for a file it cannot decode, a truncated one
    /// and one that declares more than <see cref="SkiaImages.MaxPixelCount"/> pixels.</summary>
    public override bool IsExpected(Exception exception) => exception is InvalidDataException;

    /// <summary>The image's grey copy (at most <see cref="SkiaImages.MaxPixelCount"/> bytes, however small the
    /// file: a few bytes of PNG or WebP can hold a large plain image) and the file read once more for a JPEG's end
    /// marker.</summary>
    public override long AllocationBudget(int inputLength) =>
        (32L << 20) + 2L * inputLength + SkiaImages.MaxPixelCount;
}
