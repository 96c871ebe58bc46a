using PrivilegedAttribution.Landmarks.Datasets;

namespace PrivilegedAttribution.Landmarks.Tests;

/// <summary>A crop maps landmarks with the pixel-centre convention: the whole image scales about pixel centres, a box
/// crop is a square of 1.25 × the box's larger side centred on the box, and bad arguments are named.</summary>
[TestFixture]
public sealed class FaceCropTests
{
    [Test]
    public void TheWholeImageScalesAboutPixelCentres()
    {
        var crop = FaceCrop.WholeImage(100, 50);

        // Pixel centre 0 spans [0, 1) → its centre ½ lands at ½·112/100, i.e. pixel 0.06; the last pixel's centre
        // 99.5 lands at 111.44, so x' = (x + ½)·112/100 − ½.
        Assert.That(crop.MapPoint(0, 0, 112, 112).X, Is.EqualTo(0.5 * 1.12 - 0.5).Within(1e-12));
        var (x, y) = crop.MapPoint(99, 49, 112, 112);
        Assert.That(x, Is.EqualTo(99.5 * 1.12 - 0.5).Within(1e-12));
        Assert.That(y, Is.EqualTo(49.5 * 112 / 50.0 - 0.5).Within(1e-12));
        Assert.That(crop.MapPoint(-0.5, -0.5, 10, 10), Is.EqualTo((-0.5, -0.5)), "the image's corner stays the corner");
    }

    [Test]
    public void ABoxCropIsASquareCentredOnTheBox()
    {
        var box = FaceBox.FromXywh(40, 20, 80, 60);   // centre (80, 50) in continuous coordinates

        var crop = FaceCrop.AroundBox(box);

        Assert.That((crop.Width, crop.Height), Is.EqualTo((100.0, 100.0)));
        Assert.That((crop.Left, crop.Top), Is.EqualTo((30.0, 0.0)));
        // The box's centre, as a landmark (x − ½), lands on the output's centre.
        var (x, y) = crop.MapPoint(79.5, 49.5, 64, 64);
        Assert.That(x, Is.EqualTo(31.5).Within(1e-12));
        Assert.That(y, Is.EqualTo(31.5).Within(1e-12));
    }

    [Test]
    public void ARecordWithABoxIsCroppedAroundItAndOneWithoutIsTakenWhole()
    {
        var box = FaceBox.FromXywh(10, 10, 20, 20);
        var boxed = new FaceRecord("a.png", 0, box, null, "faces.csv", 2);
        var aligned = boxed with { Box = null };

        Assert.That(FaceCrop.For(boxed, 640, 480), Is.EqualTo(FaceCrop.AroundBox(box)));
        Assert.That(FaceCrop.For(aligned, 640, 480), Is.EqualTo(FaceCrop.WholeImage(640, 480)));
    }

    [Test]
    public void LandmarksMapPairByPairAndAMappedCropInvertsBack()
    {
        var crop = new FaceCrop(12.5, -3, 40, 20);
        float[] landmarks = [0, 0, 20, 7, 51.5f, 16];

        var mapped = crop.MapLandmarks(landmarks, 80, 40);
        // The inverse map is a crop too: the output scaled by ½ back about the source's corner.
        var back = new FaceCrop(-2 * 12.5, -2 * -3, 80, 40).MapLandmarks(mapped, 40, 20);

        for (var k = 0; k < landmarks.Length; k += 2)
        {
            var (x, y) = crop.MapPoint(landmarks[k], landmarks[k + 1], 80, 40);
            Assert.That(mapped[k], Is.EqualTo((float)x));
            Assert.That(mapped[k + 1], Is.EqualTo((float)y));
        }

        Assert.That(back, Is.EqualTo(landmarks).Within(1e-4));
    }

    [Test]
    public void BadArgumentsAreNamed()
    {
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => _ = new FaceCrop(0, 0, 0, 10)).ParamName,
            Is.EqualTo("width"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => _ = new FaceCrop(0, 0, 10, double.NaN))
            .ParamName, Is.EqualTo("height"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => _ = new FaceCrop(double.PositiveInfinity, 0, 1,
            1)).ParamName, Is.EqualTo("left"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() =>
            FaceCrop.AroundBox(FaceBox.FromXywh(0, 0, 5, 5), margin: 0)).ParamName, Is.EqualTo("margin"));
        var odd = Assert.Throws<ArgumentException>(() => FaceCrop.WholeImage(5, 5).MapLandmarks([1, 2, 3], 5, 5));
        Assert.That(odd.ParamName, Is.EqualTo("landmarks"));
        Assert.That(odd.Message, Does.Contain("got 3"));
    }
}
