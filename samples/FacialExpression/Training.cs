using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Samples.FacialExpression;

/// <summary>How to train.</summary>
/// <param name="Architecture">resnet18 or vgg11_bn.</param>
/// <param name="Size">Input side in pixels.</param>
/// <param name="Epochs">Training epochs.</param>
/// <param name="BatchSize">Faces per optimiser step.</param>
/// <param name="LearningRate">Adam's learning rate.</param>
/// <param name="Layer">The PAL layer; null for the architecture's default (<see cref="TappedLayer"/>).</param>
/// <param name="Lambda">PAL's weight λ (0: plain cross-entropy).</param>
/// <param name="Strategy">The channel strategy as written on the command line.</param>
/// <param name="Sigma">The heatmap's Gaussian σ in input pixels.</param>
/// <param name="Seed">Seeds the weights, the order, the flips and the validation split.</param>
/// <param name="Overlays">Test faces in the overlay figures.</param>
/// <param name="Output">Folder of the report and figures.</param>
/// <param name="ValidationFraction">Share of each class of the training faces held out for the per-epoch validation
/// scores (training-curves.png).</param>
/// <param name="Weights">A TorchSharp state dict of the architecture with the ImageNet head to fine-tune from; null
/// trains from scratch.</param>
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
    string Output,
    double ValidationFraction = 0.1,
    string? Weights = null)
{
    private bool IsResNet => Architecture.StartsWith("resnet", StringComparison.Ordinal);

    /// <summary>The tapped layer: the given one, or layer3 (ResNet) / features.20 (VGG-11-BN).</summary>
    public string TappedLayer => Layer ?? (IsResNet ? "layer3" : "features.20");

    /// <summary>The classifier head that is replaced for the dataset's classes when fine-tuning.</summary>
    public string Head => IsResNet ? "fc" : "classifier.6";

    /// <summary>The PAL term's channel strategy, parsed from <see cref="Strategy"/>.</summary>
    public ChannelStrategy ChannelStrategy => ChannelStrategy.Parse(Strategy);
}

/// <summary>Trains a TorchVision classifier with CE + λ·PAL, evaluates it and writes the report and figures.</summary>
public static class Training
{
    /// <summary>Trains on <paramref name="train"/> (less the validation faces it holds out), evaluates on
    /// <paramref name="test"/> and writes the report and figures to <see cref="TrainSettings.Output"/>.</summary>
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
        Func<int, nn.Module<Tensor, Tensor>> architecture = settings.Architecture switch
        {
            "resnet18" => k => torchvision.models.resnet18(num_classes: k),
            "vgg11_bn" => k => torchvision.models.vgg11_bn(num_classes: k),
            _ => throw new ArgumentException($"Unknown architecture '{settings.Architecture}': resnet18 or vgg11_bn."),
        };
        // With --weights: the ImageNet backbone, its head replaced for this dataset's classes.
        var model = PretrainedBackbone.Create(architecture, classes, settings.Weights, settings.Head);
        var prior = new HeatmapPrior(settings.Size, settings.Size, settings.Sigma, LandmarkRegion.InnerFace);
        var optimizer = optim.Adam(model.parameters(), settings.LearningRate);
        var random = new Random(settings.Seed);
        var (trainRows, validationRows) = ValidationSplit.Create(train.Labels, settings.ValidationFraction,
            settings.Seed);
        using var allTrain = new FaceFolderImages(train);
        using var validation = new IndexedImages(allTrain, validationRows);
        var curve = new TrainingCurve(settings.Lambda == 0 ? "plain (λ = 0)"
            : string.Create(CultureInfo.InvariantCulture, $"PAL (λ = {settings.Lambda})"));
        Console.WriteLine($"{trainRows.Length} training and {validationRows.Length} validation faces " +
                          $"(held out of the training set), {test.Count} test faces");
        var clock = Stopwatch.StartNew();
        using (var objective = new PalObjective(model,
                   [new PalLayer(settings.TappedLayer, settings.Lambda, settings.ChannelStrategy)], prior))
        {
            for (var epoch = 1; epoch <= settings.Epochs; epoch++)
            {
                model.train();
                var order = trainRows.OrderBy(_ => random.Next()).ToArray();
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
                    model.zero_grad();
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

                var score = validation.Count > 0
                    ? ClassifierScore.Measure(model, validation, settings.BatchSize)
                    : new ClassifierScore(double.NaN, double.NaN);
                var scores = curve.Add(new EpochScores(epoch, ce / Math.Max(batches, 1), score.CrossEntropy,
                    score.Accuracy));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"epoch {epoch}/{settings.Epochs}: CE {scores.TrainCrossEntropy:F4}, PAL " +
                    $"{pal / Math.Max(batches, 1):F4} (−1 = attribution matches the heatmap), validation CE " +
                    $"{scores.ValidationCrossEntropy:F4}, validation accuracy {scores.ValidationAccuracy:F1} %, " +
                    $"{clock.Elapsed.TotalSeconds:F0} s"));
            }
        }

        TrainingCurvePlot.Write(Path.Combine(settings.Output, "training-curves.png"),
            $"{settings.Architecture}, {settings.Size}×{settings.Size}: loss and validation accuracy", [curve]);
        var predictions = Predict(model, test, settings.BatchSize);
        var report = Evaluation.Create(test, predictions);
        report.Write(settings, clock.Elapsed);
        WriteOverlays(model, prior, test, predictions, settings);
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
        int[] predictions, TrainSettings settings)
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
        var cells = LayerOverlays.Cells(model, settings.TappedLayer, images, labels);

        var heatmapRows = new List<IReadOnlyList<OverlayPanel>>();
        var attributionRows = new List<IReadOnlyList<OverlayPanel>>();
        for (var i = 0; i < count; i++)
        {
            var rgb = test.Rgb[i];
            var label = test.ClassNames[test.Labels[i]];
            var guess = test.ClassNames[predictions[i]];
            heatmapRows.Add([
                new OverlayPanel(rgb, null, test.Landmarks[i], $"{label}: 68 landmarks"),
                new OverlayPanel(rgb, heatmaps.AsSpan(i * s * s, s * s).ToArray(), null, "PAL prior (inner face)"),
            ]);
            attributionRows.Add([
                new OverlayPanel(rgb, null, null, $"true {label}"),
                new OverlayPanel(rgb, PositivePartToPeak(cells[i].Map!), null,
                    $"{settings.TappedLayer} G⊙A, pred {guess}"),
            ]);
        }

        Figures.WriteOverlays(Path.Combine(settings.Output, "heatmap-overlays.png"), s, heatmapRows);
        Figures.WriteOverlays(Path.Combine(settings.Output, "attribution-overlays.png"), s, attributionRows);
    }

    // The panels draw a map in [0, 1]: the attribution's positive part (evidence for the class), over its peak.
    private static float[] PositivePartToPeak(float[] map)
    {
        var peak = Math.Max(map.Max(), 1e-12f);
        return map.Select(value => Math.Max(value, 0f) / peak).ToArray();
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

    /// <summary>The classes, in label order.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>[true, predicted] counts.</summary>
    public int[,] Confusion { get; }

    /// <summary>Counts the test faces by true and predicted class.</summary>
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

    /// <summary>Test faces of <paramref name="trueClass"/>.</summary>
    public int Total(int trueClass) => Enumerable.Range(0, ClassNames.Count).Sum(p => Confusion[trueClass, p]);

    /// <summary>Share of <paramref name="trueClass"/>'s test faces classified correctly; null without any.</summary>
    public double? Accuracy(int trueClass) =>
        Total(trueClass) == 0 ? null : (double)Confusion[trueClass, trueClass] / Total(trueClass);

    /// <summary>Share of all test faces classified correctly.</summary>
    public double OverallAccuracy =>
        (double)Enumerable.Range(0, ClassNames.Count).Sum(c => Confusion[c, c]) /
        Math.Max(1, Enumerable.Range(0, ClassNames.Count).Sum(Total));

    /// <summary>Writes metrics.md, metrics.json, confusion-matrix.csv and .png, and prints the Markdown.</summary>
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
