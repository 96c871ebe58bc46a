using PrivilegedAttribution.Landmarks.SkiaSharp;

namespace PrivilegedAttribution.Landmarks.Tests;

/// <summary>A resampled face's float layout is channels-first and normalised per channel; mirroring flips the image
/// and the landmarks together, swaps the iBUG-68 left and right points, and twice is the identity.</summary>
[TestFixture]
public sealed class ResampledFaceTests
{
    [Test]
    public void ChannelsFirstNormalisesEachPlaneWithItsOwnStatistics()
    {
        // A 2×2 face: pixel p has R = 10p, G = 100, B = 255.
        var rgb = Enumerable.Range(0, 4).SelectMany(p => new[] { (byte)(10 * p), (byte)100, (byte)255 }).ToArray();
        var face = new ResampledFace(2, rgb, []);

        var planes = face.ToChannelsFirst([0.5f, 0, 1], [0.5f, 1, 2]);

        Assert.That(planes[..4], Is.EqualTo(new[] { 0, 10, 20, 30 }.Select(v => (v / 255f - 0.5f) / 0.5f)));
        Assert.That(planes[4..8], Is.All.EqualTo(100 / 255f).Within(1e-6));
        Assert.That(planes[8..], Is.All.EqualTo(0f));
        Assert.That(face.ToChannelsFirst()[0], Is.EqualTo((0 - 0.485f) / 0.229f).Within(1e-6), "ImageNet's default");
    }

    [Test]
    public void BadStatisticsAreRefusedWithTheirValues()
    {
        var face = new ResampledFace(1, [1, 2, 3], []);

        var error = Assert.Throws<ArgumentException>(() => face.ToChannelsFirst([0, 0, 0], [1, 0, 1]));
        Assert.That(error.ParamName, Is.EqualTo("std"));
        Assert.That(error.Message, Does.Contain("[1, 0, 1]"));
        Assert.That(() => face.ToChannelsFirst([0, 0], null), Throws.ArgumentException);
    }

    [Test]
    public void MirroringMovesPixelsAndLandmarksTogether()
    {
        var size = 4;
        var rgb = new byte[size * size * 3];
        rgb[3 * (1 * size + 0)] = 255;                        // a red pixel at (x 0, y 1)
        var face = new ResampledFace(size, rgb, [0, 1]);      // and a landmark on it

        var mirrored = face.Mirrored();

        Assert.That(mirrored.Rgb[3 * (1 * size + 3)], Is.EqualTo(255), "the pixel moved to x = 3");
        Assert.That(mirrored.Rgb.Count(v => v != 0), Is.EqualTo(1));
        Assert.That(mirrored.Landmarks, Is.EqualTo(new[] { 3f, 1f }), "the landmark moved with it");
    }

    [Test]
    public void MirroringSixtyEightLandmarksSwapsLeftAndRightAndTwiceIsTheIdentity()
    {
        var size = 100;
        var landmarks = Enumerable.Range(0, 68).SelectMany(k => new[] { k + 0.25f, 100 - k * 1f }).ToArray();
        var face = new ResampledFace(size, new byte[size * size * 3], landmarks);

        var once = face.Mirrored();
        var twice = once.Mirrored();

        // The outer corner of the eye on the image's left (36) is, after the flip, the point that was 45.
        Assert.That(once.Landmarks[2 * 36], Is.EqualTo(size - 1 - landmarks[2 * 45]));
        Assert.That(once.Landmarks[2 * 36 + 1], Is.EqualTo(landmarks[2 * 45 + 1]));
        Assert.That(once.Landmarks[2 * 8], Is.EqualTo(size - 1 - landmarks[2 * 8]), "the chin keeps its index");
        Assert.That(once.Landmarks[2 * 48 + 1], Is.EqualTo(landmarks[2 * 54 + 1]), "the mouth corners swap");
        Assert.That(twice.Landmarks, Is.EqualTo(landmarks));
        var order = ResampledFace.Ibug68MirrorOrder;
        Assert.That(order.Select(k => order[k]), Is.EqualTo(Enumerable.Range(0, 68)), "an involution");
        Assert.That(order.Order(), Is.EqualTo(Enumerable.Range(0, 68)), "a permutation");
        Assert.That(new[] { 27, 28, 29, 30, 33, 51, 57, 62, 66 }.Select(k => order[k]),
            Is.EqualTo(new[] { 27, 28, 29, 30, 33, 51, 57, 62, 66 }), "the middle line stays");
    }
}
