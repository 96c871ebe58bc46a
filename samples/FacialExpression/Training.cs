using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Samples.FacialExpression;

/// <summary>How to train.</summary>
public sealed record TrainSettings(
    string Architecture,
    int Size,
    int Epochs,
    int BatchSize,
    double LearningRate,
    string? Layer,
    double Lambda,
    string Strategy,
    double Sigma,
    int Seed,
    int Overlays,
    string Output)
{
    /// <summary>The tapped layer: the given one, or layer3 (ResNet) / features.20 (VGG-11-BN).</summary>
    public string TappedLayer =>
        Layer ?? (Architecture.StartsWith("resnet", StringComparison.Ordinal) ? "layer3" : "features.20");

    public ChannelStrategy ChannelStrategy => ChannelStrategy.Parse(Strategy);
}

/// <summary>Trains a TorchVision classifier with CE + λ·PAL, evaluates it and writes the report and figures.</summary>
public static class Training
{
    public static void Run(FaceImages train, FaceImages test, TrainSettings settings)
    {
        if (train.Count == 0 || test.Count == 0)
        {
            throw new InvalidOperationException(
                $"Nothing to train or test on ({train.Count} train, {test.Count} test).");
        }

        Directory.CreateDirectory(settings.Output);
        manual_seed(settings.Seed);
        var classes = train.ClassNames.Count;
        nn.Module<Tensor, Tensor> model = settings.Architecture switch
        {
            "resnet18" => torchvision.models.resnet18(num_classes: classes),
            "vgg11_bn" => torchvision.models.vgg11_bn(num_classes: classes),
            _ => throw new ArgumentException($"Unknown architecture '{settings.Architecture}': resnet18 or vgg11_bn."),
        };
        var prior = new HeatmapPrior(settings.Size, settings.Size, settings.Sigma, LandmarkRegion.InnerFace);
        var optimizer = optim.Adam(model.parameters(), settings.LearningRate);
        var random = new Random(settings.Seed);
        var clock = Stopwatch.StartNew();
        using (var objective = new PalObjective(model,
                   [new PalLayer(settings.TappedLayer, settings.Lambda, settings.ChannelStrategy)], prior))
        {
            for (var epoch = 1; epoch <= settings.Epochs; epoch++)
            {
                model.train();
                var order = Enumerable.Range(0, train.Count).OrderBy(_ => random.Next()).ToArray();
                double ce = 0, pal = 0;
                var batches = 0;
                foreach (var chunk in order.Chunk(settings.BatchSize))
                {
                    if (chunk.Length < 2)
                    {
                        continue; // BatchNorm needs two samples in training mode
                    }

                    using var scope = NewDisposeScope();
                    var (images, labels, landmarks) = train.Batch(chunk, random);
                    optimizer.zero_grad();
                    var output = objective.Compute(images, labels, landmarks);
                    output.Total.backward();
                    optimizer.step();
                    var (stepCe, stepPal) = (output.CrossEntropy.item<float>(), output.Terms[0].Loss.item<float>());
                    batches++;
                    // Read on the host anyway: a NaN stops the run at its step, not after epochs of NaN weights.
                    TrainingDivergedException.ThrowIfNonFinite(epoch, settings.Epochs, $"step {batches}",
                        ("CE", stepCe), ($"PAL {settings.TappedLayer}", stepPal));
                    ce += stepCe;
                    pal += stepPal;
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"epoch {epoch}/{settings.Epochs}: CE {ce / Math.Max(batches, 1):F4}, PAL " +
                    $"{pal / Math.Max(batches, 1):F4} (−1 = attribution matches the heatmap), " +
                    $"{clock.Elapsed.TotalSeconds:F0} s"));
            }
        }

        var predictions = Predict(model, test, settings.BatchSize);
        var report = Evaluation.Create(test, predictions);
        report.Write(settings, clock.Elapsed);
        WriteOverlays(model, prior, test, settings);
    }

    private static int[] Predict(nn.Module<Tensor, Tensor> model, FaceImages data, int batchSize)
    {
        model.eval();
        var predictions = new List<int>();
        using var noGrad = no_grad();
        foreach (var chunk in Enumerable.Range(0, data.Count).Chunk(batchSize))
        {
            using var scope = NewDisposeScope();
            var (images, _, _) = data.Batch(chunk);
            predictions.AddRange(model.call(images).argmax(1).data<long>().Select(p => (int)p));
        }

        return predictions.ToArray();
    }

    /// <summary>heatmap-overlays.png (face with landmarks, the PAL prior over it) and attribution-overlays.png
    /// (the trained model's G ⊙ A at the PAL layer, mean over channels, positive part, upsampled).</summary>
    private static void WriteOverlays(nn.Module<Tensor, Tensor> model, HeatmapPrior prior, FaceImages test,
        TrainSettings settings)
    {
        var count = Math.Min(settings.Overlays, test.Count);
        if (count == 0)
        {
            return;
        }

        var indices = Enumerable.Range(0, count).ToArray();
        using var scope = NewDisposeScope();
        var (images, labels, landmarks) = test.Batch(indices);
        var s = settings.Size;
        var heatmaps = prior.render(landmarks, s, s).reshape(count, s * s).data<float>().ToArray();
        model.eval();
        using var attribution = new AttributionMap(model, settings.TappedLayer);
        var logits = model.call(images);
        var map = attribution.forward(logits, labels).mean([1], keepdim: true).detach();
        var upsampled = nn.functional.interpolate(map, [s, s], mode: InterpolationMode.Bilinear, align_corners: false)
            .reshape(count, s * s).clamp_min(0);
        var peak = upsampled.amax([1], keepdim: true).clamp_min(1e-12);
        var attributions = (upsampled / peak).data<float>().ToArray();
        var predicted = logits.argmax(1).data<long>().ToArray();

        var heatmapRows = new List<IReadOnlyList<OverlayPanel>>();
        var attributionRows = new List<IReadOnlyList<OverlayPanel>>();
        for (var i = 0; i < count; i++)
        {
            var rgb = test.Rgb[i];
            var label = test.ClassNames[test.Labels[i]];
            var guess = test.ClassNames[(int)predicted[i]];
            heatmapRows.Add([
                new OverlayPanel(rgb, null, test.Landmarks[i], $"{label}: 68 landmarks"),
                new OverlayPanel(rgb, heatmaps.AsSpan(i * s * s, s * s).ToArray(), null, "PAL prior (inner face)"),
            ]);
            attributionRows.Add([
                new OverlayPanel(rgb, null, null, $"true {label}"),
                new OverlayPanel(rgb, attributions.AsSpan(i * s * s, s * s).ToArray(), null,
                    $"{settings.TappedLayer} G⊙A, pred {guess}"),
            ]);
        }

        Figures.WriteOverlays(Path.Combine(settings.Output, "heatmap-overlays.png"), s, heatmapRows);
        Figures.WriteOverlays(Path.Combine(settings.Output, "attribution-overlays.png"), s, attributionRows);
    }
}

/// <summary>Accuracy per class and the confusion matrix.</summary>
public sealed class Evaluation
{
    private Evaluation(IReadOnlyList<string> classNames, int[,] confusion)
    {
        ClassNames = classNames;
        Confusion = confusion;
    }

    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>[true, predicted] counts.</summary>
    public int[,] Confusion { get; }

    public static Evaluation Create(FaceImages test, int[] predictions)
    {
        var k = test.ClassNames.Count;
        var confusion = new int[k, k];
        for (var i = 0; i < predictions.Length; i++)
        {
            confusion[test.Labels[i], predictions[i]]++;
        }

        return new Evaluation(test.ClassNames, confusion);
    }

    public int Total(int trueClass) => Enumerable.Range(0, ClassNames.Count).Sum(p => Confusion[trueClass, p]);

    public double? Accuracy(int trueClass) =>
        Total(trueClass) == 0 ? null : (double)Confusion[trueClass, trueClass] / Total(trueClass);

    public double OverallAccuracy =>
        (double)Enumerable.Range(0, ClassNames.Count).Sum(c => Confusion[c, c]) /
        Math.Max(1, Enumerable.Range(0, ClassNames.Count).Sum(Total));

    public void Write(TrainSettings settings, TimeSpan elapsed)
    {
        var k = ClassNames.Count;
        var invariant = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine("# Facial expression recognition with PAL").AppendLine();
        md.AppendLine(string.Create(invariant,
            $"{settings.Architecture}, {settings.Size}×{settings.Size}, {settings.Epochs} epoch(s), " +
            $"batch {settings.BatchSize}, " +
            $"lr {settings.LearningRate}, PAL at {settings.TappedLayer} λ = {settings.Lambda}, {settings.Strategy}, " +
            $"σ = {settings.Sigma} px; {elapsed.TotalSeconds:F0} s.")).AppendLine();
        md.AppendLine(string.Create(invariant, $"Overall accuracy: {OverallAccuracy:P1}")).AppendLine();
        md.AppendLine("| class | test images | accuracy |").AppendLine("|---|---:|---:|");
        for (var c = 0; c < k; c++)
        {
            md.AppendLine(string.Create(invariant,
                $"| {ClassNames[c]} | {Total(c)} | {(Accuracy(c) is { } a ? a.ToString("P1", invariant) : "–")} |"));
        }

        md.AppendLine().AppendLine("Confusion matrix (rows: true class, columns: predicted):").AppendLine();
        md.AppendLine("| | " + string.Join(" | ", ClassNames) + " |");
        md.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---:|", k)));
        for (var t = 0; t < k; t++)
        {
            md.AppendLine($"| {ClassNames[t]} | " +
                string.Join(" | ", Enumerable.Range(0, k).Select(p => Confusion[t, p].ToString(invariant))) + " |");
        }

        File.WriteAllText(Path.Combine(settings.Output, "metrics.md"), md.ToString());
        var csv = new StringBuilder("true\\predicted," + string.Join(',', ClassNames) + "\n");
        for (var t = 0; t < k; t++)
        {
            csv.AppendLine(ClassNames[t] + "," +
                string.Join(',', Enumerable.Range(0, k).Select(p => Confusion[t, p].ToString(invariant))));
        }

        File.WriteAllText(Path.Combine(settings.Output, "confusion-matrix.csv"), csv.ToString());
        var json = new
        {
            settings,
            overallAccuracy = OverallAccuracy,
            perClass = Enumerable.Range(0, k)
                .Select(c => new { name = ClassNames[c], images = Total(c), accuracy = Accuracy(c) }),
            confusion = Enumerable.Range(0, k)
                .Select(t => Enumerable.Range(0, k).Select(p => Confusion[t, p]).ToArray()),
        };
        File.WriteAllText(Path.Combine(settings.Output, "metrics.json"),
            JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }));
        Figures.WriteConfusionMatrix(Path.Combine(settings.Output, "confusion-matrix.png"), Confusion, ClassNames);
        Console.Write(md.ToString());
    }
}
