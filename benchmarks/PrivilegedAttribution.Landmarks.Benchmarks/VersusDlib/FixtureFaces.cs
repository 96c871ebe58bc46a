using System.Globalization;
using PrivilegedAttribution.Landmarks.SkiaSharp;

namespace PrivilegedAttribution.Landmarks.Benchmarks.VersusDlib;

/// <summary>
/// The faces of the repository's face fixture (<c>scripts/make-face-fixture.sh</c>, never committed): the two
/// public-domain photos in the boxes of dlib's frontal-face detector (<c>photos/faces.csv</c>) and every aligned crop
/// of the tiny RAF-DB layout that <c>tools/FaceFixture</c> made from them (<c>rafdb/basic/Image/aligned</c>), in
/// <see cref="FaceBox.ForAlignedCrop"/>'s box, as the FacialExpression sample predicts them.
/// </summary>
public static class FixtureFaces
{
    /// <summary>Decodes the faces under <paramref name="folder"/> (artifacts/face-fixture).</summary>
    /// <exception cref="DirectoryNotFoundException">The fixture is missing; the message says how to make it.
    /// </exception>
    public static IReadOnlyList<BenchmarkFace> Load(string folder)
    {
        var photos = Path.Combine(folder, "photos");
        var boxes = Path.Combine(photos, "faces.csv");
        if (!File.Exists(boxes))
        {
            throw new DirectoryNotFoundException(
                $"No face fixture at {folder} ({boxes} is missing): run scripts/make-face-fixture.sh.");
        }

        var faces = new List<BenchmarkFace>();
        foreach (var line in File.ReadLines(boxes).Skip(1).Where(l => l.Trim().Length > 0))
        {
            var fields = line.Split(',');
            var corners = fields[1..5].Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            faces.Add(new BenchmarkFace($"photos/{fields[0]}",
                SkiaGrayImageDecoder.Instance.Decode(Path.Combine(photos, fields[0])),
                new FaceBox(corners[0], corners[1], corners[2], corners[3])));
        }

        var aligned = Path.Combine(folder, "rafdb", "basic", "Image", "aligned");
        if (Directory.Exists(aligned))
        {
            foreach (var file in Directory.GetFiles(aligned, "*.jpg").Order(StringComparer.Ordinal))
            {
                var image = SkiaGrayImageDecoder.Instance.Decode(file);
                faces.Add(new BenchmarkFace($"aligned/{Path.GetFileName(file)}", image,
                    FaceBox.ForAlignedCrop(image.Width, image.Height)));
            }
        }

        return faces;
    }

    /// <summary>The repository's root: the first folder above this program that holds Directory.Packages.props (the
    /// working folder where none does).</summary>
    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Directory.Packages.props")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? Directory.GetCurrentDirectory();
    }
}
