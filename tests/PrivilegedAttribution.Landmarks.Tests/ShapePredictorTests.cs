namespace PrivilegedAttribution.Landmarks.Tests;

/// <summary>The reader and the predictor on hand-made models whose output can be worked out by hand, malformed
/// files, the real model's structure and the batch path.</summary>
[TestFixture]
public sealed class ShapePredictorTests
{
    /// <summary>Two parts at (0.25, 0.5) and (0.75, 0.5); one tree with one split "pixel at part 0 − pixel at
    /// part 1 > 10": left leaf moves them together in x by ±0.125, right leaf moves both down by 0.05.</summary>
    private static DlibModelWriter HandMadeModel(int version = 1, int leafCount = 2)
    {
        var writer = new DlibModelWriter().Signed(version).Column(0.25f, 0.5f, 0.75f, 0.5f);
        writer.Unsigned(1).Unsigned(1);                                   // one cascade of one tree
        writer.Unsigned(1).Unsigned(0).Unsigned(1).Float(10f);            // its split
        writer.Unsigned((ulong)leafCount).Column(0.125f, 0f, -0.125f, 0f).Column(0f, 0.05f, 0f, 0.05f);
        for (var extra = 2; extra < leafCount; extra++)
        {
            writer.Column(0f, 0f, 0f, 0f);
        }

        writer.Unsigned(1).Unsigned(2).Unsigned(0).Unsigned(1);           // feature pixels anchored at parts 0 and 1
        writer.Unsigned(1).Unsigned(2).Float(0f).Float(0f).Float(0f).Float(0f);
        return writer;
    }

    private static ShapePredictor Read(DlibModelWriter writer) =>
        ShapePredictor.Read(new MemoryStream(writer.ToArray()), "test model");

    private static GrayImage Image(byte atPart0, byte atPart1)
    {
        // Box (0,0)-(10,10): part 0 maps to (2.5, 5), which dlib rounds to pixel (3, 5); part 1 to (7.5, 5) → (8, 5).
        var pixels = new byte[11 * 11];
        pixels[5 * 11 + 3] = atPart0;
        pixels[5 * 11 + 8] = atPart1;
        return new GrayImage(11, 11, pixels);
    }

    [Test]
    public void APixelDifferenceAboveTheThresholdTakesTheLeftLeaf()
    {
        var predictor = Read(HandMadeModel());
        var landmarks = predictor.Predict(Image(200, 50), new FaceBox(0, 0, 10, 10));

        Assert.That(landmarks.Points, Is.EqualTo(new[]
        {
            new LandmarkPoint(3.75, 5), new LandmarkPoint(6.25, 5),
        }));
        Assert.That(landmarks.Rounded, Is.EqualTo(new[] { new LandmarkPoint(4, 5), new LandmarkPoint(6, 5) }));
    }

    [Test]
    public void APixelDifferenceAtOrBelowTheThresholdTakesTheRightLeaf()
    {
        var predictor = Read(HandMadeModel());
        var landmarks = predictor.Predict(Image(60, 50), new FaceBox(0, 0, 10, 10));

        Assert.That(landmarks.Points, Is.EqualTo(new[]
        {
            new LandmarkPoint(2.5, 10.0 * (0.5f + 0.05f)), new LandmarkPoint(7.5, 10.0 * (0.5f + 0.05f)),
        }));
    }

    [Test]
    public void PixelsOutsideTheImageReadZero()
    {
        var predictor = Read(HandMadeModel());
        // Shifted left by 5: part 0 falls at x = −2 (outside, reads 0), part 1 at x = 3 (value 200): 0 − 200 ≤ 10.
        var pixels = new byte[11 * 11];
        pixels[5 * 11 + 3] = 200;
        var landmarks = predictor.Predict(new GrayImage(11, 11, pixels), new FaceBox(-5, 0, 5, 10));
        Assert.That(landmarks[0].Y, Is.EqualTo(10.0 * (0.5f + 0.05f)), "right leaf");
    }

    [TestCase(11, 0, 20, 10, "does not overlap", TestName = "a box beside the image is rejected")]
    [TestCase(-100, -100, 100, 100, "at most 176", TestName = "a box 18 times the image is rejected")]
    public void ABoxThatDoesNotFitTheImageIsRejected(long left, long top, long right, long bottom, string rule)
    {
        var predictor = Read(HandMadeModel());
        var box = new FaceBox(left, top, right, bottom);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => predictor.Predict(Image(0, 0), box));

        Assert.That(error.ParamName, Is.EqualTo("box"));
        Assert.That(error.Message, Does.Contain(rule).And.Contain(box.ToString()).And.Contain("11×11"));
    }

    [Test]
    public void PredictManyChecksEveryBoxBeforePredicting()
    {
        var predictor = Read(HandMadeModel());
        var faces = new[] { (Image(0, 0), new FaceBox(0, 0, 10, 10)), (Image(0, 0), new FaceBox(50, 50, 60, 60)) };

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => predictor.PredictMany(faces));

        Assert.That(error.ParamName, Is.EqualTo("faces"));
        Assert.That(error.Message, Does.StartWith("Face 1: ").And.Contain("does not overlap"));
    }

    [Test]
    public void ReaderRejectsAnotherVersion()
    {
        var error = Assert.Throws<InvalidDataException>(() => Read(HandMadeModel(version: 2)));
        Assert.That(error.Message, Does.Contain("version 2"));
    }

    [Test]
    public void ReaderRejectsATreeWithTheWrongNumberOfLeaves()
    {
        var error = Assert.Throws<InvalidDataException>(() => Read(HandMadeModel(leafCount: 3)));
        Assert.That(error.Message, Does.Contain("1 splits and 3 leaves"));
    }

    [Test]
    public void ReaderRejectsATruncatedFileWithItsOffset()
    {
        var bytes = HandMadeModel().ToArray();
        var error = Assert.Throws<InvalidDataException>(() =>
            ShapePredictor.Read(new MemoryStream(bytes[..^3]), "cut.dat"));
        // The cut falls in the pixel deltas, whose count is checked against the bytes left before they are read.
        Assert.That(error.Message,
            Does.Contain("cut.dat").And.Contain("the file is cut short").And.Contain("byte offset"));
    }

    [Test]
    public void ReaderRejectsAFileCutInsideAValueWithItsOffset()
    {
        var bytes = HandMadeModel().ToArray();
        var error = Assert.Throws<InvalidDataException>(() =>
            ShapePredictor.Read(new MemoryStream(bytes[..2]), "cut.dat"));
        Assert.That(error.Message,
            Does.Contain("cut.dat").And.Contain("unexpected end of file").And.Contain("byte offset 2"));
    }

    [Test]
    public void ReaderRejectsTrailingBytes()
    {
        var error = Assert.Throws<InvalidDataException>(() => Read(HandMadeModel().Raw(0x01, 0x00)));
        Assert.That(error.Message, Does.Contain("unexpected bytes after the model"));
    }

    [Test]
    public void AMissingModelSaysHowToInstallIt()
    {
        var error = Assert.Throws<LandmarkModelNotFoundException>(() => ShapePredictor.Load("/nonexistent/model.dat"));
        Assert.That(error.Message, Does.Contain("apt-get install libdlib-data")
            .And.Contain(ShapePredictor.DefaultModelPath).And.Contain("/nonexistent/model.dat"));
    }

    [Test]
    public void TheDebianModelHas68PartsAnd15CascadesOf500Trees()
    {
        var predictor = TestData.Predictor;
        Assert.That((predictor.PartCount, predictor.CascadeCount, predictor.TreeCount), Is.EqualTo((68, 15, 7500)));
        Assert.That(predictor.Fingerprint, Does.StartWith("dlib-shape-predictor-68-15-"));
    }

    [Test]
    public void PredictManyInParallelEqualsOneByOne()
    {
        var predictor = TestData.Predictor;
        var faces = Enumerable.Range(0, 24)
            .Select(i => (Image: SyntheticImage.Gray(120, 100, (uint)(i % 3)), Box: new FaceBox(i - 10, 5, 90 + i, 95)))
            .ToArray();

        var batch = predictor.PredictMany(faces, maxDegreeOfParallelism: 2);

        for (var i = 0; i < faces.Length; i++)
        {
            Assert.That(batch[i].Points, Is.EqualTo(predictor.Predict(faces[i].Image, faces[i].Box).Points),
                $"face {i}");
        }
    }

    [Test]
    public void PredictAllocatesNothingButItsResult()
    {
        // The scratch of a prediction (the current shape, the feature pixels, the chosen leaves) is kept per thread:
        // a face costs the garbage collector only the landmarks it returns, whatever the number of faces.
        var predictor = TestData.Predictor;
        var image = SyntheticImage.Gray(120, 100, 1);
        var box = new FaceBox(10, 5, 100, 95);
        predictor.Predict(image, box);
        const int faces = 50;

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < faces; i++)
        {
            predictor.Predict(image, box);
        }

        var perFace = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)faces;
        // The result: 68 points of 16 bytes in one array, and the FaceLandmarks object, with their headers.
        var result = predictor.PartCount * 16 + 128;
        Assert.That(perFace, Is.LessThanOrEqualTo(result), "bytes allocated per face");
    }

    [Test]
    public void ColourBecomesGreyAsDlibConvertsIt()
    {
        // Two pixels per row, RGB, rows padded to 8 bytes.
        byte[] data = [10, 20, 31, 255, 255, 254, 0, 0, 1, 1, 1, 0, 0, 3, 7, 7, 0, 0];
        var image = GrayImage.FromInterleaved(data, 2, 2, 8, 3);
        Assert.That(image.Pixels, Is.EqualTo(new byte[] { 20, 254, 1, 1 }));
    }

    [Test]
    public void AlignedCropBoxFollowsTheCalibratedFractions()
    {
        var f = FaceBox.AlignedCropFractions;
        var box = FaceBox.ForAlignedCrop(100, 100);
        Assert.That(box, Is.EqualTo(new FaceBox((long)Math.Round(f.Left * 100), (long)Math.Round(f.Top * 100),
            (long)Math.Round(f.Right * 100) - 1, (long)Math.Round(f.Bottom * 100) - 1)));
        Assert.That(FaceBox.FromXywh(3, 4, 10, 20), Is.EqualTo(new FaceBox(3, 4, 12, 23)));
        Assert.That(FaceBox.FromXywh(3, 4, 10, 20).Width, Is.EqualTo(10));
    }
}
