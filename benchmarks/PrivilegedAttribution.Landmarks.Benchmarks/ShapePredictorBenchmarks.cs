using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using PrivilegedAttribution.Landmarks.SkiaSharp;

namespace PrivilegedAttribution.Landmarks.Benchmarks;

/// <summary>The target: reading shape_predictor_68_face_landmarks.dat in ≤ 1.5 s on one core (the file from
/// the page cache, as after the first run).</summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class ModelLoadBenchmark
{
    [Benchmark]
    public int LoadModel() => ShapePredictor.Load().TreeCount;
}

/// <summary>
/// The target: ≤ 2 ms a face on one core. Faces: the two public-domain photos of artifacts/face-fixture
/// (scripts/make-face-fixture.sh) in dlib's detector boxes; where they are missing, random images of the same size.
/// </summary>
[MemoryDiagnoser]
public class PredictionBenchmark
{
    private ShapePredictor _predictor = null!;
    private (GrayImage Image, FaceBox Box)[] _faces = [];

    [GlobalSetup]
    public void Setup()
    {
        _predictor = ShapePredictor.Load();
        _faces = Faces.Load();
    }

    /// <summary>One face on one thread (the mean over the two faces).</summary>
    [Benchmark(OperationsPerInvoke = 2)]
    public double PredictOneFace()
    {
        var sum = 0.0;
        foreach (var (image, box) in _faces)
        {
            sum += _predictor.Predict(image, box)[30].X;
        }

        return sum;
    }
}

internal static class Faces
{
    public static (GrayImage, FaceBox)[] Load()
    {
        var photos = Path.Combine(VersusDlib.FixtureFaces.RepositoryRoot(), "artifacts", "face-fixture", "photos");
        if (File.Exists(Path.Combine(photos, "astronaut.png")) && File.Exists(Path.Combine(photos, "grace_hopper.jpg")))
        {
            return
            [
                (SkiaGrayImageDecoder.Instance.Decode(Path.Combine(photos, "astronaut.png")),
                    new FaceBox(179, 83, 266, 170)),
                (SkiaGrayImageDecoder.Instance.Decode(Path.Combine(photos, "grace_hopper.jpg")),
                    new FaceBox(161, 113, 376, 328)),
            ];
        }

        Console.Error.WriteLine(
            $"No face photos in {photos} (run scripts/make-face-fixture.sh): using synthetic images.");
        var random = new Random(1);
        var pixels = new byte[512 * 512];
        random.NextBytes(pixels);
        var image = new GrayImage(512, 512, pixels);
        return [(image, new FaceBox(179, 83, 266, 170)), (image, new FaceBox(161, 113, 376, 328))];
    }
}
