namespace PrivilegedAttribution.Landmarks.Tests;

/// <summary>
/// The C# predictor against dlib itself (Fixtures/dlib-reference.txt from tools/dlib-reference, Debian's dlib
/// 19.24): for every case, faces and synthetic images, boxes inside, partly outside and far larger than the image,
/// the same leaf in all 7,500 trees (listed, or hashed for the small LFW crops), the same float32 shape bit for bit,
/// the same rounded points, and sub-pixel points equal to dlib's doubles.
/// </summary>
[TestFixture]
public sealed class ShapePredictorReferenceTests
{
    private static readonly IReadOnlyList<DlibReferenceCase> Cases =
        DlibReferenceCase.ReadAll(Path.Combine(AppContext.BaseDirectory, "Fixtures", "dlib-reference.txt"));

    public static IEnumerable<TestCaseData> ReferenceCases() =>
        Cases.Select(c => new TestCaseData(c).SetName($"MatchesDlib({c.Name})"));

    [TestCaseSource(nameof(ReferenceCases))]
    public void MatchesDlib(DlibReferenceCase reference)
    {
        var predictor = TestData.Predictor;
        var image = TestData.LoadImage(reference.ImageSpec);
        Assert.That((image.Width, image.Height), Is.EqualTo((reference.ImageWidth, reference.ImageHeight)));
        Assert.That(TestData.GrayHash(image), Is.EqualTo(reference.GrayHash),
            "The decoded grey pixels differ from those dlib's loader gave, so the inputs are not the same.");

        var (landmarks, shape, leaves) = predictor.PredictTraced(image, reference.Box);

        var offset = 0;
        var allLeaves = string.Concat(leaves.Select(l => "0123456789abcdef"[l]));
        if (reference.LeafHash is { } leafHash)
        {
            Assert.That(Fnv1a(allLeaves), Is.EqualTo(leafHash), "some tree chose another leaf than dlib");
        }

        for (var cascade = 0; cascade < reference.Leaves.Length; cascade++)
        {
            var count = predictor.TreesInCascade(cascade);
            var chosen = allLeaves.Substring(offset, count);
            var expected = reference.Leaves[cascade];
            var firstDifference = Enumerable.Range(0, count).FirstOrDefault(t => chosen[t] != expected[t], -1);
            Assert.That(firstDifference, Is.EqualTo(-1),
                $"cascade {cascade}: tree {firstDifference} chose another leaf than dlib");
            offset += count;
        }

        Assert.That(shape.Select(BitConverter.SingleToUInt32Bits), Is.EqualTo(reference.ShapeBits),
            "the float32 shape differs from dlib's in some bit");
        var rounded = landmarks.Rounded.SelectMany(p => new[] { (long)p.X, (long)p.Y });
        Assert.That(rounded, Is.EqualTo(reference.Points), "the rounded points differ from dlib's");
        // dlib maps the normalised shape into the image with a transform it solves through a LAPACK pseudo-inverse,
        // which lands within a few units in the last place of the exact (Right − Left)·u + Left used here.
        var subPixel = landmarks.Points.SelectMany(p => new[] { p.X, p.Y }).ToArray();
        var deviation = subPixel.Zip(reference.SubPixel, (a, b) => Math.Abs(a - b)).Max();
        TestContext.Out.WriteLine($"{reference.Name}: 68 points, rounded equal, sub-pixel max |Δ| = {deviation:G3} px");
        Assert.That(deviation, Is.LessThanOrEqualTo(SubPixelTolerance), "sub-pixel points differ from dlib's doubles");
    }

    /// <summary>Pixels; the measured deviation is ~1e-13 px (the last bits of dlib's double transform).</summary>
    private const double SubPixelTolerance = 1e-9;

    [Test]
    public void FixtureIsUpToDateWithTheReferenceCases()
    {
        var cases = File.ReadAllLines(Path.Combine(TestData.RepositoryRoot, "tools", "dlib-reference", "cases.txt"))
            .Select(l => l.Split('#')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length > 0)
            .Select(f => $"{f[0]} {f[1]} {f[2]} {f[3]} {f[4]} {f[5]}");
        Assert.That(Cases.Select(c => $"{c.Name} {c.ImageSpec} {c.Box.Left} {c.Box.Top} {c.Box.Right} {c.Box.Bottom}"),
            Is.EqualTo(cases), "tools/dlib-reference/cases.txt changed: regenerate the fixture (see its README)");
    }

    private static ulong Fnv1a(string text)
    {
        var hash = 14695981039346656037ul;
        foreach (var c in text)
        {
            hash ^= c;
            hash *= 1099511628211ul;
        }

        return hash;
    }

    [Test]
    public void FixtureCoversFacesSyntheticImagesAndBoxesPartlyOutside()
    {
        Assert.That(Cases, Has.Count.GreaterThanOrEqualTo(20));
        Assert.That(Cases.Count(c => !c.ImageSpec.StartsWith("synthetic:", StringComparison.Ordinal)),
            Is.GreaterThanOrEqualTo(15), "face cases (2 photos, 8 LFW crops)");
        Assert.That(Cases.Count(c => c.Box.Left < 0 || c.Box.Top < 0 || c.Box.Right >= c.ImageWidth ||
            c.Box.Bottom >= c.ImageHeight), Is.GreaterThanOrEqualTo(3), "boxes partly outside the image");
        Assert.That(Cases.All(c => c.Points.Length == 136 && c.ShapeBits.Length == 136 &&
            (c.Leaves.Length == 15 || c.LeafHash is not null)));
    }
}
