using PrivilegedAttribution.Landmarks.Datasets;
using PrivilegedAttribution.Landmarks.SkiaSharp;

namespace PrivilegedAttribution.Landmarks.Tests;

/// <summary>Face boxes that are no boxes (inverted, empty, not finite, 1e30) or that do not fit their image are bad
/// records of kind <see cref="DatasetProblemKind.InvalidFaceBox"/>, reported with file, line and field, skipped or
/// fatal as the policy says, and never predicted or cached.</summary>
[TestFixture]
public sealed class BadFaceBoxTests
{
    private static readonly string[] HostileRows =
    [
        "faces/alice.jpg,0,8,8,-100,100,", // 2: inverted (negative width)
        "faces/bob.jpg,0,8,8,100,0,", // 3: zero height
        "faces/carol.jpg,0,1e30,8,100,100,", // 4: saturated to 9.2e18 before
        "faces/alice.jpg,0,8,8,NaN,100,", // 5
        "faces/bob.jpg,0,8,-Infinity,100,100,", // 6
        "faces/carol.jpg,0,8,8,1e30,100,", // 7: x + width − 1 overflowed before
        "faces/alice.jpg,0,2147483647,8,2,100,", // 8: the right edge one past the bound
        "faces/bob.jpg,0,8,8,100,100,", // 9: a good record
    ];

    private static DatasetFixture Generic(params string[] rows)
    {
        var fixture = DatasetFixture.Create("generic", new[] { "alice", "bob", "carol" }.Select(n => $"faces/{n}.jpg"),
            []);
        File.WriteAllLines(fixture["hostile.csv"],
            ["image,label,face_x,face_y,face_width,face_height,landmarks", .. rows]);
        return fixture;
    }

    [Test]
    public void GenericCsvReportsEveryBoxThatIsNoBoxWithItsLineAndField()
    {
        using var fixture = Generic(HostileRows);

        var dataset = GenericCsvLoader.Load(fixture["hostile.csv"]);

        Assert.That(dataset.Records.Select(r => r.Line), Is.EqualTo(new[] { 9 }));
        Assert.That(dataset.Problems.Select(p => (p.Line, p.Kind)),
            Is.EqualTo(Enumerable.Range(2, 7).Select(line => (line, DatasetProblemKind.InvalidFaceBox))));
        Assert.That(dataset.Problems[0].Message, Does.Contain("face_width = -100"));
        Assert.That(dataset.Problems[1].Message, Does.Contain("face_height = 0"));
        Assert.That(dataset.Problems[2].Message, Does.Contain("face_x = 1e30").And.Contain("2147483647"));
        Assert.That(dataset.Problems[3].Message, Does.Contain("face_width = NaN").And.Contain("not a finite number"));
        Assert.That(dataset.Problems[4].Message, Does.Contain("face_y = -Infinity"));
        Assert.That(dataset.Problems[5].Message, Does.Contain("face_width = 1e30"));
        Assert.That(dataset.Problems[6].Message, Does.Contain("face_x, face_y, face_width, face_height = 2147483647")
            .And.Contain("Right must lie within ±2147483647"));
        Assert.That(dataset.Problems.All(p => Path.GetFileName(p.File) == "hostile.csv"));
    }

    [Test]
    public void GenericCsvFailPolicyThrowsWithEveryBadBox()
    {
        using var fixture = Generic(HostileRows);

        var error = Assert.Throws<DatasetException>(() => GenericCsvLoader.Load(fixture["hostile.csv"],
            options: new DatasetLoadOptions { OnBadRecord = BadRecordPolicy.Fail }));

        Assert.That(error.Problems.Select(p => p.Line), Is.EqualTo(Enumerable.Range(2, 7)));
        Assert.That(error.Message, Does.Contain("hostile.csv:4: InvalidFaceBox: face_x = 1e30"));
    }

    [Test]
    public void TextThatIsNoNumberStaysAMalformedLine()
    {
        using var fixture = Generic("faces/alice.jpg,0,eight,8,100,100,");

        var problem = GenericCsvLoader.Load(fixture["hostile.csv"]).Problems.Single();

        Assert.That((problem.Line, problem.Kind), Is.EqualTo((2, DatasetProblemKind.MalformedLine)));
        Assert.That(problem.Message, Does.Contain("face_x 'eight' is not a number"));
    }

    [Test]
    public void AffectNetReportsABoxAt1e30()
    {
        using var fixture = DatasetFixture.Create("affectnet", ["1/a.jpg"], []);
        File.WriteAllLines(fixture["hostile.csv"],
        [
            "subDirectory_filePath,face_x,face_y,face_width,face_height,facial_landmarks,expression,valence,arousal",
            "1/a.jpg,10,1e30,90,90,,1,0,0",
            "1/a.jpg,10,12,90,-90,,1,0,0",
        ]);

        var dataset = AffectNetLoader.Load(fixture["hostile.csv"]);

        Assert.That(dataset.Records, Is.Empty);
        Assert.That(dataset.Problems.Select(p => (p.Line, p.Kind)), Is.EqualTo(new[]
        {
            (2, DatasetProblemKind.InvalidFaceBox), (3, DatasetProblemKind.InvalidFaceBox),
        }));
        Assert.That(dataset.Problems[0].Message, Does.Contain("face_y = 1e30"));
    }

    [TestCase("1e30 10 1e31 100", "x1 = 1e30", TestName = "a RAF-DB box at 1e30 is reported")]
    [TestCase("50 60 10 100", "x2 = 10 is not greater than x1 = 50", TestName = "an inverted RAF-DB box is reported")]
    [TestCase("10 NaN 50 100", "y1 = NaN", TestName = "a RAF-DB box with NaN is reported")]
    public void RafDbReportsItsBoundingBoxFile(string content, string field)
    {
        using var fixture = DatasetFixture.Create("rafdb", ["basic/Image/original/train_00001.jpg"], []);
        var boxFile = fixture["basic/Annotation/boundingbox/train_00001_boundingbox.txt"];
        File.WriteAllText(boxFile, content + "\n");

        var dataset = RafDbLoader.Load(fixture["basic"], DatasetSplit.Train, RafDbImages.Original);

        Assert.That(dataset.Records.Select(r => Path.GetFileName(r.ImagePath)), Has.No.Member("train_00001.jpg"));
        var problem = dataset.Problems.Single(p => p.File == boxFile);
        Assert.That((problem.Line, problem.Kind), Is.EqualTo((1, DatasetProblemKind.InvalidFaceBox)));
        Assert.That(problem.Message, Does.Contain(field));
    }

    [Test]
    public void VerifyingImagesReportsABoxBesideTheImage()
    {
        // The fixture's images are 112×112: a box from (500, 500) misses them; the other is 16·112 wide and fits.
        using var fixture = Generic("faces/alice.jpg,0,500,500,50,50,", "faces/bob.jpg,0,-800,-800,1792,1792,");
        var options = new DatasetLoadOptions { VerifyImagesWith = SkiaGrayImageDecoder.Instance };

        var dataset = GenericCsvLoader.Load(fixture["hostile.csv"], options: options);

        Assert.That(dataset.Records.Select(r => r.Line), Is.EqualTo(new[] { 3 }));
        var problem = dataset.Problems.Single();
        Assert.That((problem.Line, problem.Kind), Is.EqualTo((2, DatasetProblemKind.InvalidFaceBox)));
        Assert.That(problem.Message, Does.Contain("alice.jpg").And.Contain("does not overlap the 112×112 image"));
        Assert.That(GenericCsvLoader.Load(fixture["hostile.csv"]).Records, Has.Count.EqualTo(2),
            "without verification no image size is known");
    }

    [Test]
    public void TheCacheNeitherPredictsNorCachesABoxThatDoesNotFit()
    {
        using var fixture = Generic("faces/alice.jpg,0,500,500,50,50,", "faces/bob.jpg,0,8,8,100,100,",
            "faces/carol.jpg,0,-2000,-2000,4000,4000,");

        var completed = LandmarkCache.Complete(GenericCsvLoader.Load(fixture["hostile.csv"]), TestData.Predictor,
            SkiaGrayImageDecoder.Instance);

        Assert.That(completed.Records.Select(r => Path.GetFileName(r.ImagePath)), Is.EqualTo(new[] { "bob.jpg" }));
        Assert.That(completed.Problems.Select(p => (p.Line, p.Kind)), Is.EqualTo(new[]
        {
            (2, DatasetProblemKind.InvalidFaceBox), (4, DatasetProblemKind.InvalidFaceBox),
        }));
        Assert.That(completed.Problems[1].Message, Does.Contain("carol.jpg").And.Contain("at most 1792"));
        var cache = File.ReadAllText(fixture[LandmarkCache.FileName]);
        Assert.That(cache, Does.Contain("faces/bob.jpg").And.Not.Contain("alice").And.Not.Contain("carol"));

        var error = Assert.Throws<DatasetException>(() => LandmarkCache.Complete(
            GenericCsvLoader.Load(fixture["hostile.csv"]), TestData.Predictor, SkiaGrayImageDecoder.Instance,
            BadRecordPolicy.Fail));
        Assert.That(error.Message, Does.Contain("hostile.csv:2: InvalidFaceBox"));
    }
}
