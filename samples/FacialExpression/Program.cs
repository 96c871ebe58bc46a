// Facial expression recognition with PAL, from face images to a trained model (README.md beside this file): the 68
// landmarks are predicted (dlib's model, in C#) where missing and cached; faces are resampled once with them; ResNet-18
// or VGG-11-BN (from scratch or torchvision weights, Models.cs) trains on augmented faces, landmarks moved with them,
// with criterion + λ·PAL (PAL's lines marked "// PAL"; the criterion with class weights and label smoothing) and is
// evaluated per class (Report.cs, Overlays.cs).
using System.CommandLine;
using PrivilegedAttribution;
using PrivilegedAttribution.Optimizers;
using PrivilegedAttribution.Landmarks;
using PrivilegedAttribution.Landmarks.Datasets;
using PrivilegedAttribution.Landmarks.SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;
using static FaceTensors;

// On a CPU: glibc keeps freed memory (no page faults per step), NNPACK off (a log flood), oneDNN off where it NaNs.
CpuBackend.ConfigureForTraining();

Option<T> Opt<T>(string name, string description, T value) =>
    new(name) { Description = description, DefaultValueFactory = _ => value, Recursive = true };
var layout = Opt("--layout", "Dataset layout: rafdb, affectnet or generic", "rafdb");
var data = Opt("--data", "RAF-DB: the basic folder; AffectNet: training.csv; generic: the CSV", "");
var testData = Opt<string?>("--test-data", "AffectNet: validation.csv; generic: a test CSV (default: hold out " +
                                           "--test-fraction)", null);
var imageRoot = Opt<string?>("--image-root", "AffectNet: the folder image paths are relative to", null);
var classCount = Opt("--classes", "AffectNet: 7 (Contempt left out) or 8", 8);
var original = Opt("--original", "RAF-DB: original images with their boxes instead of the aligned crops", false);
var failOnBad = Opt("--fail-on-bad-record", "Fail on a bad record instead of reporting and skipping it", false);
var testFraction = Opt("--test-fraction", "Generic layout without --test-data: fraction held out per class", 0.2);
var model = Opt<string?>("--model", "dlib's shape_predictor_68_face_landmarks.dat (default: $" +
    $"{ShapePredictor.ModelPathEnvironmentVariable} or {ShapePredictor.DefaultModelPath})", null);
var root = new RootCommand("Facial expression recognition with the Privileged Attribution Loss: landmarks from raw " +
                           "face images, then ResNet-18 or VGG-11-BN trained with CE + λ·PAL.")
{
    layout, data, testData, imageRoot, classCount, original, failOnBad, testFraction, model,
};

// The train and test sets of the chosen layout, every bad record reported (never skipped silently), their
// landmarks completed by dlib's 68-point model and cached in landmarks68.csv beside the data.
(FaceDataset Train, FaceDataset Test) LoadFaces(ParseResult p)
{
    var (path, test) = (p.GetValue(data), p.GetValue(testData));
    if (string.IsNullOrWhiteSpace(path))
    {
        throw new ArgumentException("--data is required.");
    }

    var policy = p.GetValue(failOnBad) ? BadRecordPolicy.Fail : BadRecordPolicy.Skip;
    var options = new DatasetLoadOptions { OnBadRecord = policy };
    var images = p.GetValue(original) ? RafDbImages.Original : RafDbImages.Aligned;
    var (trainSet, testSet) = p.GetValue(layout) switch
    {
        "rafdb" => (RafDbLoader.Load(path, DatasetSplit.Train, images, options),
            RafDbLoader.Load(path, DatasetSplit.Test, images, options)),
        "affectnet" => (AffectNetLoader.Load(path, p.GetValue(imageRoot), p.GetValue(classCount), options),
            AffectNetLoader.Load(test ?? throw new ArgumentException("AffectNet needs --test-data validation.csv."),
                p.GetValue(imageRoot), p.GetValue(classCount), options)),
        "generic" when test is not null => (GenericCsvLoader.Load(path, options: options), null),
        "generic" => SplitPerClass(GenericCsvLoader.Load(path, options: options), p.GetValue(testFraction)),
        var other => throw new ArgumentException($"Unknown --layout '{other}': use rafdb, affectnet or generic."),
    };
    testSet ??= GenericCsvLoader.Load(test!, trainSet.ClassNames, options);
    var predictor = ShapePredictor.Load(p.GetValue(model));
    FaceDataset Complete(string name, FaceDataset set)
    {
        Console.WriteLine($"{name}: {set}");
        set.Problems.ToList().ForEach(problem => Console.WriteLine($"  skipped {problem}"));
        return LandmarkCache.Complete(set, predictor, SkiaGrayImageDecoder.Instance, policy);
    }

    return (Complete("train", trainSet), Complete("test", testSet));
}

var landmarks = new Command("landmarks", "Predicts the landmarks the dataset lacks, once, into landmarks68.csv " +
                                         "beside the data; reports bad records.");
landmarks.SetAction(p =>
{
    var (train, test) = LoadFaces(p);
    Console.WriteLine($"landmarks ready: {train.Records.Count} train and {test.Records.Count} test faces");
});
root.Subcommands.Add(landmarks);

var architecture = Opt("--arch", "resnet18 or vgg11_bn (TorchVision; from scratch unless --weights)", "resnet18");
var size = Opt("--size", "Input size in pixels (faces are resampled to size×size)", 112);
var epochs = Opt("--epochs", "Training epochs", 20);
var batchSize = Opt("--batch-size", "Mini-batch size", 32);
var learningRate = Opt("--lr", "Adam's learning rate (at the start of the cosine schedule)", 1e-3);
var layer = Opt<string?>("--pal-layer", "Tapped layer (default layer3 / features.20)", null);
var lambda = Opt("--pal-lambda", "PAL's weight λ (0: the criterion alone)", 0.5);
var strategy = Opt("--pal-strategy", "Channel strategy: mean, all, half or first:F", "half");
var priorKind = Opt("--prior", "PAL's prior: landmarks (the inner face's, every class alike) or action-units (each " +
                               "expression's own facial action units, EMFACS)", "landmarks")
    .AcceptOnlyFromAmong("landmarks", "action-units");
var sigma = Opt("--sigma", "Heatmap Gaussian σ in input pixels", 6.0);
var augment = Opt("--augment", "Training augmentation of faces and landmarks together: facial-expression (crop, " +
                               "rotation, shift, flip, colour jitter, random erasing), flip or none",
    "facial-expression").AcceptOnlyFromAmong("facial-expression", "flip", "none");
var classWeighting = Opt("--class-weights", "none, or inverse-frequency: class c weighs n / (K·n_c), counted on the " +
                                            "training split", "none").AcceptOnlyFromAmong("none", "inverse-frequency");
var labelSmoothing = Opt("--label-smoothing", "Label smoothing of the cross-entropy (0: none)", 0.0);
var seed = Opt("--seed", "Random seed", 1);
var overlays = Opt("--overlays", "Test faces in the overlay figures", 8);
var output = Opt("--out", "Output folder", "samples/FacialExpression/out");
var threads = Opt("--threads", "LibTorch CPU threads", Environment.ProcessorCount);
var validationFraction = Opt("--validation-fraction", "Share of each class of the training faces held out for the " +
                                                      "per-epoch validation scores", 0.1);
var weights = Opt<string?>("--weights", "Fine-tune from a torchvision state dict of --arch (.pth or .safetensors, " +
                                        "e.g. ImageNet's); a head of other classes is replaced for the dataset's",
    null);
var trainCommand = new Command("train", "Completes the landmarks, trains with PAL, writes metrics.md/json, " +
    "confusion-matrix.csv/png, training-curves.png, heatmap-overlays.png and attribution-overlays.png.")
{
    architecture, size, epochs, batchSize, learningRate, layer, lambda, strategy, priorKind, sigma, augment,
    classWeighting, labelSmoothing, seed, overlays, output, threads, validationFraction, weights,
};
trainCommand.SetAction(p =>
{
    torch.set_num_threads(p.GetValue(threads));
    var (s, (trainSet, testSet)) = (p.GetValue(size), LoadFaces(p));
    var (train, test) = (Resample(trainSet, s), Resample(testSet, s));
    var arch = p.GetValue(architecture)!;
    var tapped = p.GetValue(layer) ?? (arch == "resnet18" ? "layer3" : "features.20");   // PAL's layer
    var settings = new Settings(arch, s, p.GetValue(epochs), p.GetValue(batchSize), p.GetValue(learningRate), tapped,
        p.GetValue(lambda), p.GetValue(strategy)!, p.GetValue(priorKind)!, p.GetValue(sigma), p.GetValue(augment)!,
        p.GetValue(classWeighting)!, p.GetValue(labelSmoothing), p.GetValue(weights), p.GetValue(output)!);
    Directory.CreateDirectory(settings.Output);
    var random = new Random(p.GetValue(seed));
    torch.manual_seed(p.GetValue(seed));
    // A share of each class of the training faces is held out for the per-epoch validation scores.
    var validationRows = Enumerable.Range(0, train.Count).GroupBy(i => train.Labels[i]).SelectMany(g =>
        g.OrderBy(_ => random.Next()).Take((int)Math.Round(g.Count() * p.GetValue(validationFraction)))).ToArray();
    var trainRows = Enumerable.Range(0, train.Count).Except(validationRows).ToArray();
    Console.WriteLine($"{trainRows.Length} training, {validationRows.Length} validation and {test.Count} test faces");

    var classes = train.ClassNames.Count;
    var net = Models.Create(arch, classes, settings.Weights);
    using var optimizer = new FlatMemoryAdam(net.parameters(), settings.LearningRate);
    var schedule = optim.lr_scheduler.CosineAnnealingLR(optimizer, settings.Epochs);
    // Inverse-frequency weights n / (K·n_c) from the training split (a class without training faces weighs 0).
    var counts = Enumerable.Range(0, classes).Select(c => trainRows.Count(i => train.Labels[i] == c)).ToArray();
    var classWeights = settings.ClassWeights == "none" ? null : tensor(counts.Select(n =>
        n == 0 ? 0f : (float)trainRows.Length / (classes * n)).ToArray());
    using var criterion = new CrossEntropyCriterion(classWeights, settings.LabelSmoothing);
    IHeatmapPrior prior = settings.Prior == "landmarks"                                                        // PAL
        ? new HeatmapPrior(s, s, settings.Sigma, LandmarkRegion.InnerFace)                                     // PAL
        : new ActionUnitPrior(s, s, settings.Sigma, ExpressionClassOrder.FromNames(train.ClassNames));         // PAL
    // With λ = 0 (the baseline) the term is only logged: no second order, which would cost a double backward.
    using var objective = new PalObjective(net,                                                               // PAL
        [new PalLayer(tapped, settings.Lambda, ChannelStrategy.Parse(settings.Strategy))                       // PAL
            { SecondOrder = settings.Lambda != 0 }], prior, criterion: criterion);                             // PAL
    // Faces, landmarks and their visibility are augmented together, each face its own draw from one seeded stream.
    var augmentation = Augmentation(settings.Augment);
    using var draws = new Generator((ulong)p.GetValue(seed));
    var curve = new List<EpochScores>();
    for (var epoch = 1; epoch <= settings.Epochs; epoch++)
    {
        net.train();
        double loss = 0, crossEntropy = 0, pal = 0;
        var batches = trainRows.OrderBy(_ => random.Next()).Chunk(settings.BatchSize).Where(c => c.Length > 1)
            .ToArray();
        var steps = batches.Length;
        foreach (var rows in batches)
        {
            using var step = NewDisposeScope();                  // (BatchNorm in training mode needs two faces)
            var (images, labels, points) = Batch(train, rows);
            var batch = augmentation?.Apply(images, points, generator: draws);
            net.zero_grad();
            var terms = objective.Compute(Normalise(batch?.Images ?? images), labels,                          // PAL
                batch?.Landmarks ?? points, batch?.Visible);                                                   // PAL
            terms.Total.backward();                                                                            // PAL
            optimizer.step();
            loss += terms.Criterion.item<float>();
            crossEntropy += nn.functional.cross_entropy(terms.Logits.detach(), labels).item<float>();
            pal += terms.Terms[0].Loss.item<float>();
        }

        schedule.step();
        if (!double.IsFinite(loss + pal))
        {
            throw new InvalidOperationException($"Training stopped: the loss is not finite at epoch {epoch}; try a " +
                                                "smaller --lr or --pal-lambda.");
        }

        var (_, validationLoss, validationAccuracy) = Evaluate(net, train, validationRows, settings.BatchSize);
        curve.Add(new EpochScores(crossEntropy / Math.Max(steps, 1), validationLoss, validationAccuracy));
        Console.WriteLine($"epoch {epoch}/{settings.Epochs}: loss {loss / Math.Max(steps, 1):F4} (CE " +
                          $"{curve[^1].TrainLoss:F4}), PAL {pal / Math.Max(steps, 1):F4} (−1: attribution matches " +
                          $"the heatmap), validation CE {validationLoss:F4}, validation accuracy " +
                          $"{validationAccuracy:F1} %");
    }

    // Inference is the plain model: no landmarks at test time.
    var predictions = Evaluate(net, test, Enumerable.Range(0, test.Count).ToArray(), settings.BatchSize).Predictions;
    Report.Write(settings, test, predictions, curve);
    Overlays.Write(net, prior, augmentation, test, predictions, settings, p.GetValue(overlays));
    Console.WriteLine($"wrote the report and figures to {settings.Output}");
    // Peak resident memory (VmHWM on Linux); a loop like this one keeps it flat (docs: "Optimizer memory").
    var peakMiB = System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 >> 20;
    Console.WriteLine($"peak resident memory {peakMiB} MiB");
});
root.Subcommands.Add(trainCommand);
return root.Parse(args).Invoke();

static ResampledFaces Resample(FaceDataset dataset, int size)
{
    var faces = FaceResampler.ResampleAll(dataset, size);
    faces.Problems.ToList().ForEach(problem => Console.WriteLine($"  skipped {problem}"));
    return faces.Count > 0 ? faces : throw new InvalidOperationException($"No readable face in {dataset.Root}.");
}

// --augment: the package's facial-expression recipe (LandmarkAugmentationOptions.FacialExpression), flips alone
// (the landmarks renumbered left for right), or none.
static LandmarkAugmentation? Augmentation(string kind) => kind switch
{
    "facial-expression" => new LandmarkAugmentation(LandmarkAugmentationOptions.FacialExpression),
    "flip" => new LandmarkAugmentation(new LandmarkAugmentationOptions(FlipProbability: 0.5)),
    _ => null,
};

// Predictions, mean cross-entropy and accuracy (%) on the rows, in eval mode (NaN scores without rows).
static (int[] Predictions, double Loss, double Accuracy) Evaluate(nn.Module<Tensor, Tensor> model,
    ResampledFaces faces, int[] rows, int batchSize)
{
    model.eval();
    using var noGrad = no_grad();
    var (predictions, sum) = (new List<int>(), 0.0);
    foreach (var chunk in rows.Chunk(batchSize))
    {
        using var scope = NewDisposeScope();
        var (images, labels, _) = Batch(faces, chunk);
        var logits = model.call(Normalise(images));
        sum += nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.Sum).item<float>();
        predictions.AddRange(logits.argmax(1).data<long>().Select(p => (int)p));
    }

    var correct = rows.Where((row, i) => predictions[i] == faces.Labels[row]).Count();
    return (predictions.ToArray(), sum / rows.Length, 100.0 * correct / rows.Length);
}

// A stratified split: the first fraction of each class, in file order, goes to the test set.
static (FaceDataset Train, FaceDataset? Test) SplitPerClass(FaceDataset dataset, double testFraction)
{
    var test = dataset.Records.GroupBy(r => r.Label)
        .SelectMany(g => g.Take((int)Math.Round(g.Count() * testFraction))).ToHashSet();
    return (dataset.WithRecords(dataset.Records.Where(r => !test.Contains(r)).ToList()),
        new FaceDataset(dataset.Root, dataset.ClassNames, test.ToList(), []));
}
