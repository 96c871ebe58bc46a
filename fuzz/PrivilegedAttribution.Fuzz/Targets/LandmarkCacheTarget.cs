using System.Text;
using PrivilegedAttribution.Landmarks;
using PrivilegedAttribution.Landmarks.Datasets;
using PrivilegedAttribution.Landmarks.Tests;

namespace PrivilegedAttribution.Fuzz.Targets;

/// <summary>
/// <see cref="LandmarkCache.Complete"/> with the input as the cache file's body, after the header line of the model
/// in use (so that the fuzzer spends its time on the records): the dataset has an aligned crop (a.png), two boxed
/// faces (faces/b.png [0, 0, 31, 31], c.png [4, 4, 27, 27]) and an image that cannot be decoded (bad.png). Whatever
/// the cache held, every decodable face must come back with 68 finite points, and a second call must read them all
/// from the cache that the first one left (no face decoded again, the same points).
/// </summary>
internal sealed class LandmarkCacheTarget : FuzzTarget
{
    private const string HeaderPrefix = "# PrivilegedAttribution.Landmarks cache; model ";

    private static readonly ShapePredictor Predictor = MakeModel();

    public override string Name => "landmark-cache";

    public override string Description =>
        "landmark cache (landmarks68.csv) after its model line: LandmarkCache.Complete, twice";

    public override void Run(byte[] input, string folder)
    {
        var cachePath = Path.Combine(folder, LandmarkCache.FileName);
        using (var file = File.Create(cachePath))
        {
            file.Write(Encoding.UTF8.GetBytes(HeaderPrefix + Predictor.Fingerprint + "\n"));
            file.Write(input);
        }

        FaceRecord Record(string image, FaceBox? box, int line) =>
            new(Path.Combine(folder, image), 0, box, null, Path.Combine(folder, "faces.csv"), line);

        var dataset = new FaceDataset(folder, ["Neutral", "Happy"],
        [
            Record("a.png", null, 2), Record("faces/b.png", new FaceBox(0, 0, 31, 31), 3),
            Record("c.png", new FaceBox(4, 4, 27, 27), 4), Record("bad.png", null, 5),
        ], []);

        var first = new CountingDecoder();
        var completed = LandmarkCache.Complete(dataset, Predictor, first, cachePath: cachePath,
            maxDegreeOfParallelism: 1);
        foreach (var record in completed.Records)
        {
            if (record.Landmarks is not { Length: 136 } points || !points.All(float.IsFinite))
            {
                throw new FuzzFindingException($"{record.ImagePath}: no 68 finite points after Complete");
            }
        }

        var second = new CountingDecoder();
        var again = LandmarkCache.Complete(dataset, Predictor, second, cachePath: cachePath,
            maxDegreeOfParallelism: 1);
        var decodedAgain = second.Decoded.Where(p => !p.EndsWith("bad.png", StringComparison.Ordinal)).ToArray();
        if (decodedAgain.Length > 0)
        {
            throw new FuzzFindingException($"the cache left by the first call lacks {string.Join(", ", decodedAgain)}");
        }

        var firstPoints = completed.Records.ToDictionary(r => r.ImagePath, r => r.Landmarks!);
        foreach (var record in again.Records)
        {
            if (!firstPoints.TryGetValue(record.ImagePath, out var points) ||
                !points.AsSpan().SequenceEqual(record.Landmarks))
            {
                throw new FuzzFindingException($"{record.ImagePath}: other points from the cache than the first " +
                    "call returned");
            }
        }
    }

    /// <summary>Nothing: with <see cref="BadRecordPolicy.Skip"/> a damaged cache is rewritten, never an error.
    /// </summary>
    public override bool IsExpected(Exception exception) => false;

    /// <summary>A 68-point model of one cascade with one tree of one leaf: it predicts its mean shape (a grid)
    /// scaled into the box.</summary>
    private static ShapePredictor MakeModel()
    {
        var mean = Enumerable.Range(0, 136).Select(i => (i % 2 == 0 ? i % 17 : i % 13) / 20f + 0.1f).ToArray();
        var writer = new DlibModelWriter().Signed(1).Column(mean);
        writer.Unsigned(1).Unsigned(1);                 // one cascade of one tree
        writer.Unsigned(0).Unsigned(1).Column(new float[136]);
        writer.Unsigned(1).Unsigned(0);                 // no feature pixels
        writer.Unsigned(1).Unsigned(0);
        return ShapePredictor.Read(new MemoryStream(writer.ToArray()), "the fuzz target's model");
    }

    /// <summary>Serves a 32×32 gradient for every image but bad.png, which cannot be decoded, and remembers what was
    /// asked.</summary>
    private sealed class CountingDecoder : IGrayImageDecoder
    {
        private static readonly byte[] Pixels = Enumerable.Range(0, 32 * 32).Select(i => (byte)(i * 7)).ToArray();

        public List<string> Decoded { get; } = [];

        public GrayImage Decode(string path)
        {
            lock (Decoded)
            {
                Decoded.Add(path);
            }

            if (path.EndsWith("bad.png", StringComparison.Ordinal))
            {
                throw new InvalidDataException($"'{path}' is not an image.");
            }

            return new GrayImage(32, 32, (byte[])Pixels.Clone());
        }
    }
}
