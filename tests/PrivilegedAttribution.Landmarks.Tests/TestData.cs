using PrivilegedAttribution.Landmarks.SkiaSharp;

namespace PrivilegedAttribution.Landmarks.Tests;

/// <summary>Where the tests find the model (installed by set-up from Debian's libdlib-data) and the face photos
/// (artifacts/face-fixture, made by scripts/make-face-fixture.sh); both are required, never committed.</summary>
internal static class TestData
{
    private static readonly Lazy<ShapePredictor> SharedPredictor = new(LoadPredictor);

    public static string RepositoryRoot
    {
        get
        {
            var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Directory.Packages.props")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? throw new InvalidOperationException("Repository root not found.");
        }
    }

    public static string FixtureFile(string name) =>
        Path.Combine(TestContext.CurrentContext.TestDirectory, "Fixtures", name);

    /// <summary>The face fixture folder made at set-up (override with PRIVILEGED_ATTRIBUTION_FACE_FIXTURE).</summary>
    public static string FaceFixture
    {
        get
        {
            var fromEnvironment = Environment.GetEnvironmentVariable("PRIVILEGED_ATTRIBUTION_FACE_FIXTURE");
            var path = string.IsNullOrWhiteSpace(fromEnvironment)
                ? Path.Combine(RepositoryRoot, "artifacts", "face-fixture")
                : fromEnvironment;
            if (!Directory.Exists(Path.Combine(path, "photos")))
            {
                Assert.Fail($"The face fixture is missing at '{path}': run 'bash scripts/make-face-fixture.sh' (the " +
                    "set-up does).");
            }

            return path;
        }
    }

    /// <summary>The 68-point model, read once per test run (it is ~95 MB).</summary>
    public static ShapePredictor Predictor
    {
        get
        {
            try
            {
                return SharedPredictor.Value;
            }
            catch (LandmarkModelNotFoundException e)
            {
                Assert.Fail(e.Message);
                throw;
            }
        }
    }

    /// <summary>A reference case's image: a synthetic pattern or a photo decoded with SkiaSharp.</summary>
    public static GrayImage LoadImage(string spec)
    {
        if (spec.StartsWith("synthetic:", StringComparison.Ordinal))
        {
            var parts = spec.Split(':');
            return SyntheticImage.Gray(int.Parse(parts[1]), int.Parse(parts[2]), uint.Parse(parts[3]));
        }

        if (spec.StartsWith("lfw:", StringComparison.Ordinal))
        {
            return LfwFace(int.Parse(spec[4..]));
        }

        return SkiaGrayImageDecoder.Instance.Decode(Path.Combine(FaceFixture, "photos", spec));
    }

    /// <summary>Face <paramref name="index"/> of python3-skimage's lfw_subset.npy (200 × 25 × 25 float64 in
    /// [0, 1]), grey value floor(v·255 + 0.5), as tools/dlib-reference reads it.</summary>
    public static GrayImage LfwFace(int index)
    {
        using var stream = File.OpenRead(Path.Combine(FaceFixture, "photos", "lfw_subset.npy"));
        using var reader = new BinaryReader(stream);
        reader.ReadBytes(8);
        var headerLength = reader.ReadUInt16();
        stream.Seek(10 + headerLength + (long)index * 25 * 25 * 8, SeekOrigin.Begin);
        var pixels = new byte[25 * 25];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)Math.Clamp(Math.Floor(reader.ReadDouble() * 255 + 0.5), 0, 255);
        }

        return new GrayImage(25, 25, pixels);
    }

    /// <summary>64-bit FNV-1a of the grey pixels, as tools/dlib-reference hashes them.</summary>
    public static ulong GrayHash(GrayImage image)
    {
        var hash = 14695981039346656037ul;
        foreach (var value in image.Pixels)
        {
            hash ^= value;
            hash *= 1099511628211ul;
        }

        return hash;
    }

    private static ShapePredictor LoadPredictor() => ShapePredictor.Load();
}
