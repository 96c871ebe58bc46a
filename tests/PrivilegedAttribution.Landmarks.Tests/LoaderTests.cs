using PrivilegedAttribution.Landmarks.Datasets;
using PrivilegedAttribution.Landmarks.SkiaSharp;

namespace PrivilegedAttribution.Landmarks.Tests;

/// <summary>The RAF-DB, AffectNet and generic loaders on small fixtures holding every kind of bad record: each
/// is reported with its file and line, then skipped or fatal as the policy says; never silently dropped.</summary>
[TestFixture]
public sealed class LoaderTests
{
    private static readonly string[] RafImages =
    [
        .. new[] { "train_00001", "train_00002", "train_00003", "train_00007", "test_00001", "train_00008" }
            .SelectMany(n => new[] { $"basic/Image/aligned/{n}_aligned.jpg", $"basic/Image/original/{n}.jpg" }),
    ];

    private static readonly string[] RafBroken =
        ["basic/Image/aligned/train_00006_aligned.jpg", "basic/Image/original/train_00006.jpg"];

    private static DatasetFixture RafDb() => DatasetFixture.Create("rafdb", RafImages, RafBroken);

    private static DatasetFixture AffectNet() =>
        DatasetFixture.Create("affectnet", new[] { "a", "b", "c", "d", "e", "f", "g", "h" }.Select(n => $"1/{n}.jpg"),
            ["1/unreadable.jpg"]);

    private static DatasetFixture Generic() =>
        DatasetFixture.Create("generic",
            new[] { "alice", "bob", "carol", "dave", "erin", "frank", "grace" }.Select(n => $"faces/{n}.jpg"),
            ["faces/broken.jpg"]);

    private static (string File, int Line, DatasetProblemKind Kind)[] Summary(IEnumerable<DatasetProblem> problems) =>
        problems.Select(p => (Path.GetFileName(p.File), p.Line, p.Kind)).ToArray();

    [Test]
    public void RafDbAlignedReportsEveryBadRecordWithFileAndLine()
    {
        using var fixture = RafDb();
        var dataset = RafDbLoader.Load(fixture["basic"]);

        Assert.That(dataset.Records.Select(r => (Path.GetFileName(r.ImagePath), r.Label, r.Line)), Is.EqualTo(new[]
        {
            ("train_00001_aligned.jpg", 4, 1), ("train_00002_aligned.jpg", 3, 2),
            ("train_00006_aligned.jpg", 1, 6), ("train_00008_aligned.jpg", 5, 9),
        }));
        Assert.That(dataset.Records.All(r => r.Box is null && r.Landmarks is null),
            "aligned crops: default box, no landmarks");
        Assert.That(Summary(dataset.Problems), Is.EquivalentTo(new[]
        {
            ("list_patition_label.txt", 3, DatasetProblemKind.LabelOutOfRange),
            ("list_patition_label.txt", 4, DatasetProblemKind.MalformedLine),
            ("list_patition_label.txt", 5, DatasetProblemKind.MissingImage),
            ("train_00007_manu_attri.txt", 5, DatasetProblemKind.WrongPointCount),
        }));
        Assert.That(dataset.ClassNames, Has.Count.EqualTo(7));
    }

    [Test]
    public void RafDbOriginalUsesBoundingBoxesAndReportsAMissingOne()
    {
        using var fixture = RafDb();
        var dataset = RafDbLoader.Load(fixture["basic"], DatasetSplit.Train, RafDbImages.Original);

        Assert.That(dataset.Records.Select(r => Path.GetFileName(r.ImagePath)),
            Is.EqualTo(new[] { "train_00001.jpg", "train_00002.jpg", "train_00006.jpg" }));
        Assert.That(dataset.Records[0].Box, Is.EqualTo(new FaceBox(12, 10, 104, 109)));
        Assert.That(Summary(dataset.Problems),
            Does.Contain(("list_patition_label.txt", 9, DatasetProblemKind.MissingAnnotation)));
    }

    [Test]
    public void RafDbTestSplitHoldsOnlyTestImages()
    {
        using var fixture = RafDb();
        var dataset = RafDbLoader.Load(fixture["basic"], DatasetSplit.Test);

        Assert.That(dataset.Records.Select(r => (Path.GetFileName(r.ImagePath), r.Label)),
            Is.EqualTo(new[] { ("test_00001_aligned.jpg", 6) }));
    }

    [Test]
    public void RafDbFailPolicyThrowsWithEveryProblem()
    {
        using var fixture = RafDb();
        var error = Assert.Throws<DatasetException>(() =>
            RafDbLoader.Load(fixture["basic"], options: new DatasetLoadOptions { OnBadRecord = BadRecordPolicy.Fail }));

        Assert.That(error.Problems, Has.Count.EqualTo(4));
        Assert.That(error.Message, Does.Contain("list_patition_label.txt:3"));
    }

    [Test]
    public void VerifyingImagesReportsUnreadableOnes()
    {
        using var fixture = RafDb();
        var dataset = RafDbLoader.Load(fixture["basic"],
            options: new DatasetLoadOptions { VerifyImagesWith = SkiaGrayImageDecoder.Instance });

        Assert.That(dataset.Records.Select(r => r.Line), Is.EqualTo(new[] { 1, 2, 9 }));
        Assert.That(Summary(dataset.Problems),
            Does.Contain(("list_patition_label.txt", 6, DatasetProblemKind.UnreadableImage)));
    }

    [Test]
    public void AffectNetReadsBoxesAndLandmarksAndReportsBadRecords()
    {
        using var fixture = AffectNet();
        var dataset = AffectNetLoader.Load(fixture["training.csv"],
            options: new DatasetLoadOptions { VerifyImagesWith = SkiaGrayImageDecoder.Instance });

        Assert.That(dataset.Records.Select(r => (Path.GetFileName(r.ImagePath), r.Label, r.Line)), Is.EqualTo(new[]
        {
            ("a.jpg", 1, 2), ("b.jpg", 3, 3), ("f.jpg", 7, 7),
        }));
        Assert.That(dataset.Records[0].Box, Is.EqualTo(FaceBox.FromXywh(10, 12, 90, 90)));
        Assert.That(dataset.Records[0].Landmarks, Has.Length.EqualTo(136));
        Assert.That(dataset.Records[0].Landmarks![2], Is.EqualTo(23.5f), "x of the second point");
        Assert.That(dataset.Records[1].Landmarks, Is.Null, "an empty facial_landmarks is left to the predictor");
        Assert.That(Summary(dataset.Problems), Is.EquivalentTo(new[]
        {
            ("training.csv", 4, DatasetProblemKind.WrongPointCount),
            ("training.csv", 5, DatasetProblemKind.LabelOutOfRange),
            ("training.csv", 8, DatasetProblemKind.MissingImage),
            ("training.csv", 9, DatasetProblemKind.MalformedLine),
            ("training.csv", 10, DatasetProblemKind.MalformedLine),
            ("training.csv", 11, DatasetProblemKind.UnreadableImage),
        }));
        Assert.That(dataset.Excluded, Is.EqualTo(1), "expression 8 (None) is left out and counted");
        Assert.That(dataset.ClassNames, Has.Count.EqualTo(8));
    }

    [Test]
    public void AffectNetWithSevenClassesExcludesContempt()
    {
        using var fixture = AffectNet();
        var dataset = AffectNetLoader.Load(fixture["training.csv"], classCount: 7);

        Assert.That(dataset.Records.Select(r => r.Label), Has.No.Member(7));
        Assert.That(dataset.Excluded, Is.EqualTo(2));
        Assert.That(dataset.ClassNames, Has.Count.EqualTo(7));
    }

    [Test]
    public void AffectNetFailPolicyThrows()
    {
        using var fixture = AffectNet();
        var error = Assert.Throws<DatasetException>(() => AffectNetLoader.Load(fixture["training.csv"],
            options: new DatasetLoadOptions { OnBadRecord = BadRecordPolicy.Fail }));
        Assert.That(error.Problems.Select(p => p.Line), Is.EqualTo(new[] { 4, 5, 8, 9, 10 }));
    }

    [Test]
    public void GenericCsvAcceptsNamesAndIndicesAndReportsBadRecords()
    {
        using var fixture = Generic();
        var dataset = GenericCsvLoader.Load(fixture["faces.csv"]);

        Assert.That(dataset.ClassNames, Is.EqualTo(new[] { "Happiness", "Sadness", "Surprise" }));
        Assert.That(dataset.Records.Select(r => (Path.GetFileName(r.ImagePath), r.Label)), Is.EqualTo(new[]
        {
            ("alice.jpg", 0), ("bob.jpg", 1), ("carol.jpg", 2), ("broken.jpg", 0),
        }));
        Assert.That(Summary(dataset.Problems), Is.EquivalentTo(new[]
        {
            ("faces.csv", 5, DatasetProblemKind.LabelOutOfRange),
            ("faces.csv", 6, DatasetProblemKind.WrongPointCount),
            ("faces.csv", 7, DatasetProblemKind.MissingImage),
            ("faces.csv", 8, DatasetProblemKind.MalformedLine),
            ("faces.csv", 10, DatasetProblemKind.InvalidFaceBox),
        }));
    }

    [TestCase("1e39", TestName = "a landmark beyond float's range is reported, not read as infinity")]
    [TestCase("NaN", TestName = "a NaN landmark is reported")]
    public void GenericCsvReportsALandmarkThatIsNoFiniteFloat(string value)
    {
        using var fixture = Generic();
        var points = string.Join(';', Enumerable.Repeat("20", 135).Prepend(value));
        File.WriteAllLines(fixture["points.csv"], ["image,label,landmarks", $"faces/alice.jpg,0,{points}"]);

        var dataset = GenericCsvLoader.Load(fixture["points.csv"]);

        Assert.That(dataset.Records, Is.Empty);
        var problem = dataset.Problems.Single();
        Assert.That((problem.Line, problem.Kind), Is.EqualTo((2, DatasetProblemKind.WrongPointCount)));
        Assert.That(problem.Message, Does.Contain("not a finite number"));
    }

    [Test]
    public void GenericCsvWithoutClassesFailsClearly()
    {
        using var fixture = Generic();
        File.Delete(fixture["classes.txt"]);
        var error = Assert.Throws<FileNotFoundException>(() => GenericCsvLoader.Load(fixture["faces.csv"]));
        Assert.That(error.Message, Does.Contain("classes.txt"));
    }

    [Test]
    public void MissingLabelFileNamesIt()
    {
        var error = Assert.Throws<FileNotFoundException>(() => RafDbLoader.Load(Path.GetTempPath()));
        Assert.That(error.Message, Does.Contain("list_patition_label.txt"));
    }
}
