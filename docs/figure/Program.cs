using PrivilegedAttribution;
using PrivilegedAttribution.Optimizers;
using PrivilegedAttribution.Landmarks;
using PrivilegedAttribution.Landmarks.Datasets;
using PrivilegedAttribution.Landmarks.SkiaSharp;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

// The figure of README.md and the docs' home page: a face, its landmark heatmap, and the attribution of one small CNN
// trained twice from the same initialisation, without and with PAL. The faces are the repository's face fixture
// (scripts/make-face-fixture.sh: aligned crops of public-domain photos, labels cycling through the classes), so the
// figure shows what PAL does to where a model looks, not what it does to accuracy.
// Usage: dotnet run -c Release --project docs/figure -- [FACES_FOLDER] [OUTPUT_PNG]
var faces = args.Length > 0 ? args[0] : "artifacts/face-fixture/rafdb/basic";
var output = args.Length > 1 ? args[1] : "docs/images/pal-figure.png";
const int Size = 64;
const int Steps = 120;
const string Layer = "relu3";

CpuBackend.ConfigureForTraining();
var dataset = RafDbLoader.Load(faces, DatasetSplit.All);
var cache = Path.Combine(Path.GetTempPath(), $"readme-figure-{Environment.ProcessId}-landmarks68.csv");
dataset = LandmarkCache.Complete(dataset, ShapePredictor.Load(), SkiaGrayImageDecoder.Instance, cachePath: cache);
File.Delete(cache);
var (images, labels, landmarks) = Load(dataset.Records);
var count = images.shape[0];
var prior = new HeatmapPrior(Size, Size, sigma: 3, regions: LandmarkRegion.InnerFace);

var plain = Train(usePal: false);
var withPal = Train(usePal: true);

// One face: the input, the prior PAL is given, and where each model looks (G ⊙ A at the layer, mean of channels).
var face = 0;
var heatmap = prior.render(landmarks[face..(face + 1)], Size, Size);
var panels = new[]
{
    Overlay(images[face], null),
    Overlay(images[face], heatmap[0, 0]),
    Overlay(images[face], Attribution(plain, face)),
    Overlay(images[face], Attribution(withPal, face)),
};
Console.WriteLine($"correlation of the attribution with the heatmap over the {count} faces: " +
    $"without PAL {Agreement(plain):F2}, with PAL {Agreement(withPal):F2}");
Save(panels, output);
Console.WriteLine($"wrote {output}");
return 0;

nn.Module<Tensor, Tensor> Model()
{
    manual_seed(1);
    return nn.Sequential(
        ("conv1", nn.Conv2d(3, 16, 3, padding: 1)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
        ("conv2", nn.Conv2d(16, 32, 3, padding: 1)), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),
        ("conv3", nn.Conv2d(32, 64, 3, padding: 1)), ("relu3", nn.ReLU()),
        ("pool", nn.AdaptiveAvgPool2d(1)), ("flatten", nn.Flatten()), ("fc", nn.Linear(64, 7)));
}

nn.Module<Tensor, Tensor> Train(bool usePal)
{
    var model = Model();
    var optimizer = new FlatMemoryAdam(model.parameters(), 1e-3);
    // λ = 0 trains the plain model through the same objective: the same cross-entropy, batches and initialisation.
    using var objective = new PalObjective(model, [new PalLayer(Layer, usePal ? 1.0 : 0.0)], prior);
    var generator = new Random(1);
    model.train();
    for (var step = 0; step < Steps; step++)
    {
        using var scope = NewDisposeScope();
        var batch = tensor(Enumerable.Range(0, 16).Select(_ => (long)generator.Next((int)count)).ToArray());
        model.zero_grad();
        var result = objective.Compute(images[batch], labels[batch], landmarks[batch]);
        result.Total.backward();
        optimizer.step();
    }

    model.eval();
    return model;
}

Tensor Attribution(nn.Module<Tensor, Tensor> model, int index)
{
    using var map = new AttributionMap(model, Layer);
    var one = images[index..(index + 1)];
    var attribution = map.forward(model.call(one), labels[index..(index + 1)]).detach().mean([1], keepdim: true);
    return nn.functional.interpolate(attribution, [Size, Size], mode: InterpolationMode.Bilinear, align_corners: false)[0, 0];
}

double Agreement(nn.Module<Tensor, Tensor> model)
{
    using var scope = NewDisposeScope();
    using var map = new AttributionMap(model, Layer);
    var attribution = map.forward(model.call(images), labels).detach();
    var heatmaps = prior.render(landmarks, attribution.shape[2], attribution.shape[3]);
    return PalFunctional.attribution_correlation(attribution, heatmaps).mean().item<float>();
}

(Tensor Images, Tensor Labels, Tensor Landmarks) Load(IReadOnlyList<FaceRecord> records)
{
    var pixels = new float[records.Count * 3 * Size * Size];
    var points = new float[records.Count * 68 * 2];
    for (var r = 0; r < records.Count; r++)
    {
        using var original = SkiaImages.DecodeRgba(records[r].ImagePath);
        using var resized = original.Resize(new SKImageInfo(Size, Size), new SKSamplingOptions(SKFilterMode.Linear));
        for (var y = 0; y < Size; y++)
        {
            for (var x = 0; x < Size; x++)
            {
                var colour = resized.GetPixel(x, y);
                var at = r * 3 * Size * Size + y * Size + x;
                (pixels[at], pixels[at + Size * Size], pixels[at + 2 * Size * Size]) =
                    (colour.Red / 255f, colour.Green / 255f, colour.Blue / 255f);
            }
        }

        // Pixel centres map as (x + ½)·scale − ½, the convention of the package's heatmaps.
        var (scaleX, scaleY) = ((float)Size / original.Width, (float)Size / original.Height);
        for (var i = 0; i < 68; i++)
        {
            points[r * 136 + 2 * i] = (records[r].Landmarks![2 * i] + 0.5f) * scaleX - 0.5f;
            points[r * 136 + 2 * i + 1] = (records[r].Landmarks![2 * i + 1] + 0.5f) * scaleY - 0.5f;
        }
    }

    return (tensor(pixels, [records.Count, 3, Size, Size]),
        tensor(records.Select(r => (long)r.Label).ToArray()), tensor(points, [records.Count, 68, 2]));
}

// The face in grey with a map over it (min–max scaled, black → red → yellow), or the face in colour alone.
SKBitmap Overlay(Tensor image, Tensor? map)
{
    var rgb = image.permute(1, 2, 0).contiguous().data<float>().ToArray();
    var values = map is null ? null : ((map - map.min()) / (map.max() - map.min() + 1e-12)).data<float>().ToArray();
    var bitmap = new SKBitmap(Size, Size);
    for (var i = 0; i < Size * Size; i++)
    {
        var (r, g, b) = (rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]);
        if (values is not null)
        {
            var grey = 0.35f * (0.299f * r + 0.587f * g + 0.114f * b);
            var v = values[i];
            (r, g, b) = (grey + 0.65f * Math.Min(1, 2 * v), grey + 0.65f * Math.Max(0, 2 * v - 1), grey);
        }

        bitmap.SetPixel(i % Size, i / Size, new SKColor(Byte(r), Byte(g), Byte(b)));
    }

    return bitmap;
}

static byte Byte(float value) => (byte)Math.Clamp(MathF.Round(value * 255), 0, 255);

static void Save(IReadOnlyList<SKBitmap> panels, string path)
{
    const int Panel = 192;
    const int Gap = 8;
    using var surface = SKSurface.Create(new SKImageInfo(panels.Count * (Panel + Gap) - Gap, Panel));
    surface.Canvas.Clear(SKColors.White);
    for (var i = 0; i < panels.Count; i++)
    {
        using var image = SKImage.FromBitmap(panels[i]);
        surface.Canvas.DrawImage(image, SKRect.Create(i * (Panel + Gap), 0, Panel, Panel),
            new SKSamplingOptions(SKFilterMode.Linear));
    }

    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    using var snapshot = surface.Snapshot();
    using var png = snapshot.Encode(SKEncodedImageFormat.Png, 100);
    using var file = File.Create(path);
    png.SaveTo(file);
}
