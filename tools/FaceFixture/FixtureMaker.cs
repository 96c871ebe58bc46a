using System.Globalization;
using PrivilegedAttribution.Landmarks;
using PrivilegedAttribution.Landmarks.Datasets;
using PrivilegedAttribution.Landmarks.SkiaSharp;
using SkiaSharp;

namespace PrivilegedAttribution.Tools.FaceFixture;

/// <summary>
/// Builds a tiny dataset in RAF-DB's basic layout from a few face photos (for CI: the public-domain faces of
/// Debian's python3-skimage and facedetect packages): jittered, mirrored and re-lit copies of each photo as
/// "original" images with their bounding box and 5 manual points, and 100×100 eye-aligned crops as the "aligned"
/// images (eye centres at (0.32, 0.36) and (0.68, 0.36) of the crop, the template FaceBox.AlignedCropFractions was
/// calibrated on). Labels cycle through the 7 classes, so the task is a smoke test, not a benchmark.
/// </summary>
public static class FixtureMaker
{
    private const int OriginalSize = 240;
    private const int AlignedSize = 100;

    /// <param name="photos">Folder with faces.csv ("image,left,top,right,bottom": a dlib face box per photo).</param>
    /// <param name="output">The RAF-DB basic folder to create.</param>
    /// <param name="predictor">Finds the eyes that the aligned crops are built from.</param>
    /// <param name="trainPerClass">Training images per class.</param>
    /// <param name="testPerClass">Test images per class.</param>
    public static void Make(string photos, string output, ShapePredictor predictor, int trainPerClass, int testPerClass)
    {
        var faces = File.ReadAllLines(Path.Combine(photos, "faces.csv")).Skip(1)
            .Where(l => l.Trim().Length > 0)
            .Select(l => l.Split(','))
            .Select(f => (Path: Path.Combine(photos, f[0]),
                Box: new FaceBox(Integer(f[1]), Integer(f[2]), Integer(f[3]), Integer(f[4]))))
            .ToArray();
        if (faces.Length == 0)
        {
            throw new InvalidDataException($"{Path.Combine(photos, "faces.csv")} lists no face.");
        }

        string[] folders =
            ["EmoLabel", "Image/original", "Image/aligned", "Annotation/boundingbox", "Annotation/manual"];
        foreach (var folder in folders)
        {
            Directory.CreateDirectory(Path.Combine(output, folder));
        }

        var sources = faces.Select(f =>
        {
            var bitmap = SkiaImages.DecodeRgba(f.Path);
            var landmarks = predictor.Predict(bitmap.ToGrayImage(), f.Box).ToInterleaved();
            return (Bitmap: bitmap, f.Box, Landmarks: landmarks);
        }).ToArray();

        var labels = new List<string>();
        var classes = RafDbLoader.ClassNames.Count;
        var n = 0;
        foreach (var (split, perClass) in new[] { ("train", trainPerClass), ("test", testPerClass) })
        {
            for (var i = 0; i < perClass * classes; i++, n++)
            {
                var name = $"{split}_{i + 1:00000}";
                var source = sources[n % sources.Length];
                var toOriginal = Jitter(source.Box, n);
                var landmarks = Map(toOriginal, source.Landmarks);
                var brightness = 0.8f + n % 5 * 0.1f;
                Save(Render(source.Bitmap, toOriginal, OriginalSize, brightness),
                    Path.Combine(output, "Image", "original", name + ".jpg"));
                var box = Map(toOriginal,
                    [source.Box.Left, source.Box.Top, source.Box.Right + 1f, source.Box.Bottom + 1f]);
                File.WriteAllText(Path.Combine(output, "Annotation", "boundingbox", name + "_boundingbox.txt"),
                    string.Create(CultureInfo.InvariantCulture,
                        $"{Math.Min(box[0], box[2]):F2} {Math.Min(box[1], box[3]):F2} " +
                        $"{Math.Max(box[0], box[2]) - 1:F2} {Math.Max(box[1], box[3]) - 1:F2}\n"));
                var (leftEye, rightEye) = Eyes(landmarks);
                var manual = new[]
                {
                    leftEye, rightEye, (landmarks[60], landmarks[61]), (landmarks[96], landmarks[97]),
                    (landmarks[108], landmarks[109]),
                };
                File.WriteAllText(Path.Combine(output, "Annotation", "manual", name + "_manu_attri.txt"),
                    string.Concat(manual.Select(p =>
                        string.Create(CultureInfo.InvariantCulture, $"{p.Item1:F2}\t{p.Item2:F2}\n"))) +
                    "0\n0\n1\n");
                using var original = Render(source.Bitmap, toOriginal, OriginalSize, brightness);
                Save(Render(original, AlignEyes(leftEye, rightEye), AlignedSize, 1f),
                    Path.Combine(output, "Image", "aligned", name + "_aligned.jpg"));
                labels.Add($"{name}.jpg {n % classes + 1}");
            }
        }

        File.WriteAllLines(Path.Combine(output, RafDbLoader.LabelFile), labels);
        foreach (var source in sources)
        {
            source.Bitmap.Dispose();
        }
    }

    /// <summary>Source → 240×240 "original": the face box centred at 45 % of the image width, with a rotation of up
    /// to ±6°, a scale of ±6 %, a shift of up to ±4 px and a mirror every third image.</summary>
    private static SKMatrix Jitter(FaceBox box, int n)
    {
        var side = 2.2f * Math.Max(box.Width, box.Height);
        var centreX = box.Left + box.Width / 2f;
        var centreY = box.Top + box.Height / 2f;
        var matrix = SKMatrix.CreateTranslation(-centreX, -centreY);
        var scale = OriginalSize / side * (1 + (n * 13 % 7 - 3) * 0.02f);
        matrix = matrix.PostConcat(SKMatrix.CreateScale(n % 3 == 0 ? -scale : scale, scale));
        matrix = matrix.PostConcat(SKMatrix.CreateRotationDegrees(n * 37 % 13 - 6));
        return matrix.PostConcat(
            SKMatrix.CreateTranslation(OriginalSize / 2f + n * 5 % 9 - 4, OriginalSize / 2f + n * 3 % 9 - 4));
    }

    /// <summary>The similarity putting the eye centres at the aligned template's positions.</summary>
    private static SKMatrix AlignEyes((float X, float Y) left, (float X, float Y) right)
    {
        var (tx1, ty1, tx2) = (0.32f * AlignedSize, 0.36f * AlignedSize, 0.68f * AlignedSize);
        var (dx, dy) = (right.X - left.X, right.Y - left.Y);
        var scale = (tx2 - tx1) / MathF.Sqrt(dx * dx + dy * dy);
        var angle = -MathF.Atan2(dy, dx) * 180 / MathF.PI;
        return SKMatrix.CreateTranslation(-(left.X + 0.5f), -(left.Y + 0.5f))
            .PostConcat(SKMatrix.CreateRotationDegrees(angle))
            .PostConcat(SKMatrix.CreateScale(scale, scale))
            .PostConcat(SKMatrix.CreateTranslation(tx1, ty1));
    }

    /// <summary>Eye centres (means of iBUG 36–41 and 42–47), ordered left to right in the image.</summary>
    private static ((float X, float Y) Left, (float X, float Y) Right) Eyes(float[] landmarks)
    {
        (float X, float Y) Centre(int first) =>
            (Enumerable.Range(first, 6).Average(k => landmarks[2 * k]),
                Enumerable.Range(first, 6).Average(k => landmarks[2 * k + 1]));
        var a = Centre(36);
        var b = Centre(42);
        return a.X <= b.X ? (a, b) : (b, a);
    }

    /// <summary>Maps points (x0, y0, x1, y1, …; pixel centres at integers) through <paramref name="matrix"/>, which
    /// acts on continuous coordinates.</summary>
    private static float[] Map(SKMatrix matrix, float[] points)
    {
        var mapped = new float[points.Length];
        for (var k = 0; k < points.Length / 2; k++)
        {
            var p = matrix.MapPoint(points[2 * k] + 0.5f, points[2 * k + 1] + 0.5f);
            mapped[2 * k] = p.X - 0.5f;
            mapped[2 * k + 1] = p.Y - 0.5f;
        }

        return mapped;
    }

    private static SKBitmap Render(SKBitmap source, SKMatrix matrix, int size, float brightness)
    {
        var target = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using var canvas = new SKCanvas(target);
        canvas.Clear(new SKColor(40, 40, 40));
        canvas.SetMatrix(matrix);
        using var image = SKImage.FromBitmap(source);
        using var paint = new SKPaint
        {
            ColorFilter = SKColorFilter.CreateColorMatrix(
            [
                brightness, 0, 0, 0, 0,
                0, brightness, 0, 0, 0,
                0, 0, brightness, 0, 0,
                0, 0, 0, 1, 0,
            ]),
        };
        canvas.DrawImage(image, 0, 0, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear), paint);
        return target;
    }

    private static void Save(SKBitmap bitmap, string path)
    {
        using (bitmap)
        {
            using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 92);
            File.WriteAllBytes(path, data.ToArray());
        }
    }

    private static long Integer(string field) => long.Parse(field, CultureInfo.InvariantCulture);
}
