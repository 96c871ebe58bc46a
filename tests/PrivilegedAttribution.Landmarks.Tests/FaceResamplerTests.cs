using PrivilegedAttribution.Landmarks.Datasets;
using PrivilegedAttribution.Landmarks.SkiaSharp;
using SkiaSharp;

namespace PrivilegedAttribution.Landmarks.Tests;

/// <summary>Resampling a face carries its landmarks with the image: a marked pixel lands where its landmark is
/// mapped, and on the public-domain photos the landmarks found on the resampled face agree with the carried ones.
/// </summary>
[TestFixture]
public sealed class FaceResamplerTests
{
    [Test]
    public void AMarkedPixelLandsWhereItsLandmarkIsMapped()
    {
        using var source = new SKBitmap(new SKImageInfo(200, 150, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        source.Erase(SKColors.Black);
        // A white 4×4 block centred on the landmark (121.5, 61.5) (pixels 120–123, 60–63).
        for (var y = 60; y < 64; y++)
        {
            for (var x = 120; x < 124; x++)
            {
                source.SetPixel(x, y, SKColors.White);
            }
        }

        var crop = FaceCrop.AroundBox(FaceBox.FromXywh(70, 20, 80, 80));
        var face = FaceResampler.Resample(source, crop, 64, [121.5f, 61.5f]);

        var brightest = Enumerable.Range(0, 64 * 64).MaxBy(p => face.Rgb[3 * p]);
        Assert.That(face.Landmarks[0], Is.EqualTo(brightest % 64).Within(1.0));
        Assert.That(face.Landmarks[1], Is.EqualTo(brightest / 64).Within(1.0));
        Assert.That(face.Rgb.Length, Is.EqualTo(64 * 64 * 3));
    }

    [Test]
    public void PartsOfTheCropOutsideTheImageAreBlack()
    {
        using var source = new SKBitmap(new SKImageInfo(10, 10, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        source.Erase(SKColors.White);

        var face = FaceResampler.Resample(source, new FaceCrop(-10, 0, 20, 10), 20, []);

        Assert.That(face.Rgb[3 * (5 * 20 + 2)], Is.Zero, "left half: outside the image");
        Assert.That(face.Rgb[3 * (5 * 20 + 15)], Is.EqualTo(255), "right half: the image");
    }

    [Test]
    public void ARecordWithoutLandmarksIsRefusedWithItsLocation()
    {
        var record = new FaceRecord("missing.png", 0, null, null, "faces.csv", 7);

        var error = Assert.Throws<ArgumentException>(() => FaceResampler.Resample(record, 32));
        Assert.That(error.Message, Does.Contain("faces.csv:7").And.Contain("LandmarkCache"));
    }

    [Test]
    public void UnreadableImagesAreReportedAndLeftOut()
    {
        var folder = Directory.CreateTempSubdirectory().FullName;
        try
        {
            var good = Path.Combine(folder, "good.png");
            using (var bitmap = new SKBitmap(8, 8))
            using (var image = SKImage.FromBitmap(bitmap))
            using (var png = image.Encode(SKEncodedImageFormat.Png, 100))
            using (var file = File.Create(good))
            {
                png.SaveTo(file);
            }

            var bad = Path.Combine(folder, "bad.png");
            File.WriteAllText(bad, "not an image");
            var landmarks = new float[136];
            var dataset = new FaceDataset(folder, ["a", "b"],
                [new FaceRecord(good, 1, null, landmarks, "faces.csv", 2),
                    new FaceRecord(bad, 0, null, landmarks, "faces.csv", 3)], []);

            var faces = FaceResampler.ResampleAll(dataset, 16);

            Assert.That(faces.Count, Is.EqualTo(1));
            Assert.That(faces.Labels, Is.EqualTo(new[] { 1 }));
            Assert.That(faces.Problems, Has.Count.EqualTo(1));
            Assert.That(faces.Problems[0], Does.StartWith("faces.csv:3"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestCase("astronaut.png", 179, 83, 266, 170)]
    [TestCase("grace_hopper.jpg", 161, 113, 376, 328)]
    public void OnTheFixturePhotosTheCarriedLandmarksMatchThoseFoundOnTheResampledFace(string photo, int left,
        int top, int right, int bottom)
    {
        var path = Path.Combine(TestData.FaceFixture, "photos", photo);
        using var source = SkiaImages.DecodeRgba(path);
        var box = new FaceBox(left, top, right, bottom);
        var found = TestData.Predictor.Predict(source.ToGrayImage(), box).ToInterleaved();
        var crop = FaceCrop.AroundBox(box);
        const int size = 160;

        var face = FaceResampler.Resample(source, crop, size, found);

        // The predictor runs again on the resampled face, in the box mapped with it.
        var (boxLeft, boxTop) = crop.MapPoint(left - 0.5, top - 0.5, size, size);
        var (boxRight, boxBottom) = crop.MapPoint(right + 0.5, bottom + 0.5, size, size);
        var mappedBox = new FaceBox((long)Math.Round(boxLeft + 0.5), (long)Math.Round(boxTop + 0.5),
            (long)Math.Round(boxRight - 0.5), (long)Math.Round(boxBottom - 0.5));
        var gray = GrayImage.FromInterleaved(face.Rgb, size, size, size * 3, 3);
        var again = TestData.Predictor.Predict(gray, mappedBox).ToInterleaved();
        var errors = Enumerable.Range(0, 68).Select(k => Math.Sqrt(
            Math.Pow(again[2 * k] - face.Landmarks[2 * k], 2) +
            Math.Pow(again[2 * k + 1] - face.Landmarks[2 * k + 1], 2))).ToArray();
        // The box spans ~128 of the 160 pixels; dlib's own error on a rescaled face is a pixel or two.
        Assert.That(errors.Average(), Is.LessThan(2.5), $"mean error {errors.Average():F2} px");
        Assert.That(errors.Max(), Is.LessThan(8), $"largest error {errors.Max():F2} px");
    }
}
