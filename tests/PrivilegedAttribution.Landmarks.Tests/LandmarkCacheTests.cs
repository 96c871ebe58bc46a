using PrivilegedAttribution.Landmarks.Datasets;
using PrivilegedAttribution.Landmarks.SkiaSharp;

namespace PrivilegedAttribution.Landmarks.Tests;

/// <summary>Missing landmarks are predicted once, cached next to the data, reused, and unreadable images are
/// reported with the record's file and line.</summary>
[TestFixture]
public sealed class LandmarkCacheTests
{
    private sealed class CountingDecoder : IGrayImageDecoder
    {
        public int Calls;

        public GrayImage Decode(string path)
        {
            Interlocked.Increment(ref Calls);
            return SkiaGrayImageDecoder.Instance.Decode(path);
        }
    }

    private sealed class RecordingProgress : IProgress<LandmarkProgress>
    {
        public readonly List<LandmarkProgress> Reports = [];

        public void Report(LandmarkProgress value)
        {
            lock (Reports)
            {
                Reports.Add(value);
            }
        }
    }

    private static DatasetFixture Generic() =>
        DatasetFixture.Create("generic", new[] { "alice", "bob", "carol" }.Select(n => $"faces/{n}.jpg"),
            ["faces/broken.jpg"]);

    [Test]
    public void PredictsMissingLandmarksOnceAndCachesThemNextToTheData()
    {
        using var fixture = Generic();
        var dataset = GenericCsvLoader.Load(fixture["faces.csv"]);
        var decoder = new CountingDecoder();
        var progress = new RecordingProgress();

        var completed = LandmarkCache.Complete(dataset, TestData.Predictor, decoder, progress: progress);

        Assert.That(decoder.Calls, Is.EqualTo(3), "bob, carol and broken have no landmarks; alice has hers");
        Assert.That(completed.Records.Select(r => Path.GetFileName(r.ImagePath)),
            Is.EqualTo(new[] { "alice.jpg", "bob.jpg", "carol.jpg" }));
        Assert.That(completed.Records.All(r => r.Landmarks is { Length: 136 }));
        var unreadable = completed.Problems.Single(p => p.Kind == DatasetProblemKind.UnreadableImage);
        Assert.That((Path.GetFileName(unreadable.File), unreadable.Line), Is.EqualTo(("faces.csv", 9)));
        Assert.That(File.Exists(fixture[LandmarkCache.FileName]));
        Assert.That(progress.Reports[^1], Is.EqualTo(progress.Reports[^1] with { Done = 3, Total = 3 }));

        // The prediction is the predictor's, in the box given by the CSV.
        var bob = completed.Records[1];
        var expected = TestData.Predictor.Predict(SkiaGrayImageDecoder.Instance.Decode(bob.ImagePath), bob.Box!.Value);
        Assert.That(bob.Landmarks, Is.EqualTo(expected.ToInterleaved()));

        var again = new CountingDecoder();
        var reloaded = LandmarkCache.Complete(GenericCsvLoader.Load(fixture["faces.csv"]), TestData.Predictor, again);
        Assert.That(again.Calls, Is.EqualTo(1), "only the unreadable image is tried again");
        Assert.That(reloaded.Records.Select(r => r.Landmarks), Is.EqualTo(completed.Records.Select(r => r.Landmarks)));
    }

    [Test]
    public void AlignedCropsUseTheDefaultBox()
    {
        using var fixture = Generic();
        var dataset = GenericCsvLoader.Load(fixture["crops.csv"]);
        Assert.That(dataset.Records.All(r => r.Box is null));

        var completed = LandmarkCache.Complete(dataset, TestData.Predictor, SkiaGrayImageDecoder.Instance);

        var alice = completed.Records[0];
        var image = SkiaGrayImageDecoder.Instance.Decode(alice.ImagePath);
        Assert.That(alice.Landmarks, Is.EqualTo(TestData.Predictor.PredictAlignedCrop(image).ToInterleaved()));
        Assert.That(File.ReadAllText(fixture[LandmarkCache.FileName]), Does.Contain("faces/alice.jpg,aligned"));
    }

    [Test]
    public void FailPolicyThrowsOnUnreadableImages()
    {
        using var fixture = Generic();
        var dataset = GenericCsvLoader.Load(fixture["faces.csv"]);
        var error = Assert.Throws<DatasetException>(() => LandmarkCache.Complete(dataset, TestData.Predictor,
            SkiaGrayImageDecoder.Instance, BadRecordPolicy.Fail));
        Assert.That(error.Message, Does.Contain("faces.csv:9"));
    }

    [Test]
    public void ACacheOfAnotherModelIsIgnored()
    {
        using var fixture = Generic();
        File.WriteAllText(fixture[LandmarkCache.FileName],
            "# PrivilegedAttribution.Landmarks cache; model some-other-model\n" +
            "image,left,top,right,bottom,landmarks\nfaces/bob.jpg,8,8,107,107," +
            string.Join(';', Enumerable.Repeat("1", 136)) + "\n");
        var decoder = new CountingDecoder();

        var completed = LandmarkCache.Complete(GenericCsvLoader.Load(fixture["faces.csv"]), TestData.Predictor,
            decoder);

        Assert.That(decoder.Calls, Is.EqualTo(3));
        Assert.That(completed.Records[1].Landmarks![0], Is.Not.EqualTo(1f));
        Assert.That(File.ReadLines(fixture[LandmarkCache.FileName]).First(),
            Does.EndWith(TestData.Predictor.Fingerprint));
    }

    [Test]
    public void ProgressGrowsMonotonicallyFromZeroToTheTotal()
    {
        // 40 aligned crops on two threads: reports at 0, every 16 faces and at the end, from worker threads.
        var names = Enumerable.Range(0, 40).Select(i => $"faces/face{i:D2}.jpg").ToArray();
        using var fixture = DatasetFixture.Create("generic", names, []);
        File.WriteAllLines(fixture["many.csv"], names.Select(n => $"{n},0").Prepend("image,label"));
        var progress = new RecordingProgress();

        LandmarkCache.Complete(GenericCsvLoader.Load(fixture["many.csv"]), TestData.Predictor,
            SkiaGrayImageDecoder.Instance, progress: progress, maxDegreeOfParallelism: 2);

        var done = progress.Reports.Select(r => r.Done).ToArray();
        Assert.That(done, Is.EqualTo(new[] { 0, 16, 32, 40 }));
        Assert.That(progress.Reports.Select(r => r.Total), Is.All.EqualTo(40));
        Assert.That(progress.Reports.Select(r => r.Elapsed), Is.Ordered);
        Assert.That(progress.Reports[^1].Fraction, Is.EqualTo(1.0));
    }

    [Test]
    public void NothingIsReportedWhenEveryLandmarkIsCached()
    {
        using var fixture = Generic();
        LandmarkCache.Complete(GenericCsvLoader.Load(fixture["crops.csv"]), TestData.Predictor,
            SkiaGrayImageDecoder.Instance);
        var progress = new RecordingProgress();

        LandmarkCache.Complete(GenericCsvLoader.Load(fixture["crops.csv"]), TestData.Predictor,
            SkiaGrayImageDecoder.Instance, progress: progress);

        Assert.That(progress.Reports, Is.Empty);
    }
}
