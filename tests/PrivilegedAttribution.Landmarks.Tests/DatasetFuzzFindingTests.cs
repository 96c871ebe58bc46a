using System.Text;
using PrivilegedAttribution.Landmarks.Datasets;
using PrivilegedAttribution.Landmarks.SkiaSharp;

namespace PrivilegedAttribution.Landmarks.Tests;

/// <summary>
/// What fuzzing the dataset readers found (scripts/fuzz.sh generic-csv, landmark-cache), with the inputs it found under
/// Fixtures/Fuzz: an image path holding a NUL character is a bad record, not an ArgumentException out of the loader;
/// a landmark cache whose column line is not the cache's own is written anew, so that a quote it opens cannot swallow
/// the entries appended after it.
/// </summary>
[TestFixture]
public sealed class DatasetFuzzFindingTests
{
    private static readonly string[] Classes = ["Anger", "Happiness", "Sadness"];

    [Test]
    public void TheFuzzedGenericCsvWithANulInAnImagePathLoads()
    {
        // The fuzz target's input: the CSV, a line "%%", then classes.txt.
        var input = File.ReadAllText(TestData.FixtureFile(Path.Combine("Fuzz", "generic-csv", "nul-in-image-path.txt")),
            Encoding.Latin1);
        var parts = input.Split("\n%%\n");
        var folder = Directory.CreateTempSubdirectory("pa-fuzz-generic-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "faces.csv"), parts[0], Encoding.Latin1);
            File.WriteAllText(Path.Combine(folder, GenericCsvLoader.ClassFile), parts[1], Encoding.Latin1);

            var dataset = GenericCsvLoader.Load(Path.Combine(folder, "faces.csv"), Classes);

            Assert.That(dataset.Problems.Select(p => p.Kind), Does.Contain(DatasetProblemKind.MalformedLine));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void AGenericCsvImagePathWithANulIsAMalformedLine()
    {
        var dataset = LoadGeneric("image,label\nfaces/al\0ice.jpg,Happiness\n");

        Assert.That(dataset.Records, Is.Empty);
        var problem = dataset.Problems.Single();
        Assert.That(problem.Kind, Is.EqualTo(DatasetProblemKind.MalformedLine));
        Assert.That(problem.Line, Is.EqualTo(2));
        Assert.That(problem.Message, Does.Contain("image 'faces/al\uFFFDice.jpg' holds a NUL character"));
    }

    [Test]
    public void AnAffectNetImagePathWithANulIsAMalformedLine()
    {
        var folder = Directory.CreateTempSubdirectory("pa-fuzz-affectnet-").FullName;
        try
        {
            var csv = Path.Combine(folder, "training.csv");
            File.WriteAllText(csv, "subDirectory_filePath,face_x,face_y,face_width,face_height,facial_landmarks," +
                "expression,valence,arousal\n1/a\0.jpg,0,0,10,10,,1,0,0\n");

            var dataset = AffectNetLoader.Load(csv);

            var problem = dataset.Problems.Single();
            Assert.That(problem.Kind, Is.EqualTo(DatasetProblemKind.MalformedLine));
            Assert.That(problem.Message, Does.Contain("subDirectory_filePath").And.Contain("NUL character"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void ACacheWhoseColumnLineOpensAQuoteIsWrittenAnewAndReadBack()
    {
        using var fixture = DatasetFixture.Create("generic",
            new[] { "alice", "bob", "carol" }.Select(n => $"faces/{n}.jpg"), ["faces/broken.jpg"]);
        var cache = fixture[LandmarkCache.FileName];
        using (var file = File.Create(cache))
        {
            file.Write(Encoding.UTF8.GetBytes(
                $"# PrivilegedAttribution.Landmarks cache; model {TestData.Predictor.Fingerprint}\n"));
            file.Write(File.ReadAllBytes(
                TestData.FixtureFile(Path.Combine("Fuzz", "landmark-cache", "column-line-opens-a-quote.csv"))));
        }

        var dataset = GenericCsvLoader.Load(fixture["faces.csv"]);
        var first = new CountingDecoder();
        var completed = LandmarkCache.Complete(dataset, TestData.Predictor, first);
        var second = new CountingDecoder();
        var again = LandmarkCache.Complete(dataset, TestData.Predictor, second);

        Assert.That(first.Calls, Is.EqualTo(3), "the two faces without landmarks and the broken image");
        Assert.That(second.Calls, Is.EqualTo(1), "only the broken image: the two faces come from the cache");
        Assert.That(again.Records.Select(r => r.Landmarks), Is.EqualTo(completed.Records.Select(r => r.Landmarks)));
        Assert.That(File.ReadLines(cache).ElementAt(1), Is.EqualTo("image,left,top,right,bottom,landmarks"));
    }

    private static FaceDataset LoadGeneric(string csv)
    {
        var folder = Directory.CreateTempSubdirectory("pa-fuzz-generic-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "faces.csv"), csv);
            return GenericCsvLoader.Load(Path.Combine(folder, "faces.csv"), Classes);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed class CountingDecoder : IGrayImageDecoder
    {
        public int Calls;

        public GrayImage Decode(string path)
        {
            Interlocked.Increment(ref Calls);
            return SkiaGrayImageDecoder.Instance.Decode(path);
        }
    }
}
