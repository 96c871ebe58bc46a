using PrivilegedAttribution.Landmarks.Datasets;
using PrivilegedAttribution.Landmarks.SkiaSharp;

namespace PrivilegedAttribution.Landmarks.Tests;

/// <summary>The CSV loaders and the landmark cache read RFC 4180 CSV: a quoted field may hold commas, line breaks
/// and "" for a quote; records keep the line they start on, so later problems still name the right line; a quote
/// that is never closed is an error naming the file and line, not a silently swallowed file.</summary>
[TestFixture]
public sealed class QuotedCsvTests
{
    private const string Quoted = "faces/bob \"the builder\", jr.jpg";

    /// <summary>The record of <see cref="Quoted"/>, label 1, as a CSV writer writes it.</summary>
    private static readonly string QuotedRecord = $"\"{Quoted.Replace("\"", "\"\"")}\",1";

    private static readonly string Points =
        string.Join(';', Enumerable.Range(0, 68).SelectMany(i => new[] { 20 + i * 0.5, 30.0 }));

    private static DatasetFixture Faces(string file, params string[] lines)
    {
        var fixture = DatasetFixture.Create("generic", ["faces/alice.jpg", Quoted], []);
        File.WriteAllText(fixture[file], string.Join('\n', lines) + "\n");
        return fixture;
    }

    [Test]
    public void GenericCsvReadsQuotedFieldsThatSpanLinesAndDoubledQuotes()
    {
        using var fixture = Faces("notes.csv",
            "image,label,note",
            "faces/alice.jpg,Happiness,\"smiles, then",
            "frowns\"",
            "\"faces/bob \"\"the builder\"\", jr.jpg\",\"Sadness\",plain",
            "faces/missing.jpg,Happiness,\"one",
            "two",
            "three\"",
            "faces/alice.jpg,Anger");

        var dataset = GenericCsvLoader.Load(fixture["notes.csv"]);

        Assert.That(dataset.Records.Select(r => (Path.GetFileName(r.ImagePath), r.Label, r.Line)), Is.EqualTo(new[]
        {
            ("alice.jpg", 0, 2), (Path.GetFileName(Quoted), 1, 4),
        }));
        Assert.That(dataset.Problems.Select(p => (p.Line, p.Kind)), Is.EqualTo(new[]
        {
            (5, DatasetProblemKind.MissingImage), (8, DatasetProblemKind.MalformedLine),
        }), "lines count the line breaks inside quoted fields");
    }

    [Test]
    public void AffectNetReadsALandmarkFieldBrokenOverLines()
    {
        var half = Points.Length / 2;
        var split = Points.IndexOf(';', half);
        using var fixture = Faces("training.csv",
            "subDirectory_filePath,face_x,face_y,face_width,face_height,facial_landmarks,expression,valence,arousal",
            $"faces/alice.jpg,10,12,90,90,\"{Points[..(split + 1)]}",
            $"{Points[(split + 1)..]}\",1,0.5,0.5",
            "\"faces/bob \"\"the builder\"\", jr.jpg\",10,12,90,90,,\"3\",0.1,0.1",
            "faces/alice.jpg,10,12,90,90,,12,0.1,0.1");

        var dataset = AffectNetLoader.Load(fixture["training.csv"]);

        Assert.That(dataset.Records.Select(r => (Path.GetFileName(r.ImagePath), r.Label, r.Line)), Is.EqualTo(new[]
        {
            ("alice.jpg", 1, 2), (Path.GetFileName(Quoted), 3, 4),
        }));
        Assert.That(dataset.Records[0].Landmarks, Has.Length.EqualTo(136));
        Assert.That(dataset.Records[0].Landmarks![134], Is.EqualTo(20 + 67 * 0.5f), "the last point's x");
        var problem = dataset.Problems.Single();
        Assert.That((problem.Line, problem.Kind), Is.EqualTo((5, DatasetProblemKind.LabelOutOfRange)));
    }

    [Test]
    public void AQuoteNeverClosedIsAnErrorNamingFileAndLine()
    {
        using var fixture = Faces("open.csv",
            "image,label",
            "faces/alice.jpg,Happiness",
            "faces/alice.jpg,\"Sadness",
            "faces/alice.jpg,Anger",
            "faces/alice.jpg,Happiness");

        var error = Assert.Throws<InvalidDataException>(() => GenericCsvLoader.Load(fixture["open.csv"]));

        Assert.That(error.Message, Does.StartWith(fixture["open.csv"] + ":3: "));
        Assert.That(error.Message, Does.Contain("never closed").And.Contain("line 5"));
    }

    [Test]
    public void ARecordWithTooFewFieldsNamesFileAndLineWhenBadRecordsAreFatal()
    {
        using var fixture = Faces("short.csv",
            "image,label,note",
            "faces/alice.jpg,Happiness,\"a",
            "b\"",
            "faces/alice.jpg,Sadness");

        var error = Assert.Throws<DatasetException>(() => GenericCsvLoader.Load(fixture["short.csv"],
            options: new DatasetLoadOptions { OnBadRecord = BadRecordPolicy.Fail }));

        Assert.That(error.Message, Does.Contain($"{fixture["short.csv"]}:4: MalformedLine: 2 fields where the " +
            "header has 3"));
    }

    [Test]
    public void AHeaderThatNamesAColumnTwiceIsAnErrorNamingTheFile()
    {
        using var fixture = Faces("twice.csv", "image,label,image", "faces/alice.jpg,0,faces/alice.jpg");

        var error = Assert.Throws<InvalidDataException>(() => GenericCsvLoader.Load(fixture["twice.csv"]));

        Assert.That(error.Message, Does.StartWith(fixture["twice.csv"] + ":1: "));
    }

    [Test]
    public void TheLandmarkCacheQuotesPathsWithCommasAndQuotesAndReadsThemBack()
    {
        using var fixture = Faces("crops.csv", "image,label", "faces/alice.jpg,0", QuotedRecord);
        var first = LandmarkCache.Complete(GenericCsvLoader.Load(fixture["crops.csv"]), TestData.Predictor,
            SkiaGrayImageDecoder.Instance);
        Assert.That(File.ReadAllText(fixture[LandmarkCache.FileName]),
            Does.Contain("\"faces/bob \"\"the builder\"\", jr.jpg\",aligned,"));

        var decoder = new FailingDecoder();
        var again = LandmarkCache.Complete(GenericCsvLoader.Load(fixture["crops.csv"]), TestData.Predictor, decoder,
            BadRecordPolicy.Fail);

        Assert.That(again.Records.Select(r => r.Landmarks), Is.EqualTo(first.Records.Select(r => r.Landmarks)),
            "both faces come from the cache; no image is decoded");
    }

    [Test]
    public void ACacheLineCutInsideAQuoteKeepsTheEntriesBeforeIt()
    {
        using var fixture = CachedCrops(out var cache);
        Assert.That(cache[3], Does.StartWith("\"faces/bob \"\""), "the quoted path is the last entry");
        // Cut after the opening quote and "faces/bob ": the quote is never closed.
        File.WriteAllLines(fixture[LandmarkCache.FileName], [.. cache[..3], cache[3][..11]]);

        Assert.That(CompleteCrops(fixture), Is.EqualTo(new[] { Quoted }),
            "alice's entry is kept; bob's is predicted again");
        Assert.That(CompleteCrops(fixture), Is.Empty,
            "the damaged cache was written anew, so bob's new entry is readable");
    }

    [Test]
    public void ACacheLineCutWithoutItsLineBreakIsNotJoinedByTheNextEntry()
    {
        using var fixture = CachedCrops(out var cache);
        File.WriteAllText(fixture[LandmarkCache.FileName], string.Join('\n', cache[..3]) + "\n" + cache[3][..40]);

        Assert.That(CompleteCrops(fixture), Is.EqualTo(new[] { Quoted }));
        Assert.That(CompleteCrops(fixture), Is.Empty);
        Assert.That(File.ReadAllLines(fixture[LandmarkCache.FileName]), Has.Length.EqualTo(4));
    }

    /// <summary>alice and the quoted path as aligned crops, their landmarks cached (one thread: alice first);
    /// <paramref name="cache"/>: the cache file's lines (model, header, alice, the quoted path).</summary>
    private static DatasetFixture CachedCrops(out string[] cache)
    {
        var fixture = Faces("crops.csv", "image,label", "faces/alice.jpg,0", QuotedRecord);
        LandmarkCache.Complete(GenericCsvLoader.Load(fixture["crops.csv"]), TestData.Predictor,
            SkiaGrayImageDecoder.Instance, maxDegreeOfParallelism: 1);
        cache = File.ReadAllLines(fixture[LandmarkCache.FileName]);
        return fixture;
    }

    /// <summary>Completes crops.csv's landmarks again; returns the images that had to be decoded.</summary>
    private static List<string> CompleteCrops(DatasetFixture fixture)
    {
        var decoder = new CountingDecoder();
        LandmarkCache.Complete(GenericCsvLoader.Load(fixture["crops.csv"]), TestData.Predictor, decoder);
        return decoder.Decoded;
    }

    private sealed class FailingDecoder : IGrayImageDecoder
    {
        public GrayImage Decode(string path) => throw new InvalidOperationException($"{path} was decoded");
    }

    private sealed class CountingDecoder : IGrayImageDecoder
    {
        public readonly List<string> Decoded = [];

        public GrayImage Decode(string path)
        {
            lock (Decoded)
            {
                Decoded.Add(Path.GetRelativePath(Path.GetDirectoryName(Path.GetDirectoryName(path)!)!, path));
            }

            return SkiaGrayImageDecoder.Instance.Decode(path);
        }
    }
}
