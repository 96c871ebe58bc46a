using System.CommandLine;
using PrivilegedAttribution;
using PrivilegedAttribution.Landmarks;
using PrivilegedAttribution.Samples;
using PrivilegedAttribution.Samples.FacialExpression;
using TorchSharp;

// Facial expression recognition with PAL, from a folder of face images to a trained model. See README.md beside
// this file.
// Allocator keeps freed memory (no page faults per step), NNPACK off (log flood), oneDNN off on AVX-512 (NaN bug).
CpuBackend.ConfigureForTraining();

Option<T> Opt<T>(string name, string description, T value) =>
    new(name) { Description = description, DefaultValueFactory = _ => value, Recursive = true };

var layout = Opt("--layout", "Dataset layout: rafdb, affectnet or generic", "rafdb");
var data = Opt("--data", "RAF-DB: the basic folder; AffectNet: training.csv; generic: the CSV", "");
var testData = new Option<string?>("--test-data")
{
    Description = "AffectNet: validation.csv; generic: a test CSV (default: hold out --test-fraction)",
    Recursive = true,
};
var imageRoot = new Option<string?>("--image-root")
{
    Description = "AffectNet: folder the image paths are relative to (default: the CSV's folder)", Recursive = true,
};
var classes = Opt("--classes", "AffectNet: 7 (Contempt left out) or 8", 8);
var original = Opt("--original", "RAF-DB: original images with their boxes instead of the aligned crops", false);
var failOnBad = Opt("--fail-on-bad-record", "Fail on a bad record instead of reporting and skipping it", false);
var testFraction = Opt("--test-fraction", "Generic layout without --test-data: fraction held out per class", 0.2);
var model = new Option<string?>("--model")
{
    Description = "dlib shape_predictor_68_face_landmarks.dat (default: " +
                  $"${ShapePredictor.ModelPathEnvironmentVariable} or {ShapePredictor.DefaultModelPath})",
    Recursive = true,
};

DataSettings Data(ParseResult p)
{
    var path = p.GetValue(data);
    if (string.IsNullOrWhiteSpace(path))
    {
        throw new ArgumentException("--data is required.");
    }

    return new DataSettings(p.GetValue(layout)!, path, p.GetValue(testData), p.GetValue(imageRoot), p.GetValue(classes),
        p.GetValue(original), p.GetValue(failOnBad), p.GetValue(testFraction));
}

var root = new RootCommand("Facial expression recognition with the Privileged Attribution Loss: landmarks from raw " +
                           "face images (dlib's 68-point model in C#), then ResNet-18 or VGG-11-BN trained with " +
                           "CE + λ·PAL.")
{
    layout, data, testData, imageRoot, classes, original, failOnBad, testFraction, model,
};

var landmarksCommand = new Command("landmarks",
    "Predicts the landmarks the dataset lacks, once, into landmarks68.csv beside the data; reports bad records.");
landmarksCommand.SetAction(p =>
{
    var predictor = ShapePredictor.Load(p.GetValue(model));
    var (train, test) = FaceLayouts.Load(Data(p), predictor);
    Console.WriteLine($"landmarks ready: {train.Records.Count} train and {test.Records.Count} test faces " +
                      $"({train.Problems.Count + test.Problems.Count} bad record(s) reported above)");
    return 0;
});
root.Subcommands.Add(landmarksCommand);

var architecture = Opt("--arch", "resnet18 or vgg11_bn (TorchVision; from scratch unless --weights)", "resnet18");
var size = Opt("--size", "Input size in pixels (faces are resampled to size×size)", 112);
var epochs = Opt("--epochs", "Training epochs", 20);
var batchSize = Opt("--batch-size", "Mini-batch size", 32);
var learningRate = Opt("--lr", "Adam learning rate", 1e-3);
var layer = new Option<string?>("--pal-layer") { Description = "Tapped layer (default layer3 / features.20)" };
var lambda = Opt("--pal-lambda", "PAL weight λ (0: plain cross-entropy)", 0.5);
var strategy = Opt("--pal-strategy", "Channel strategy: mean, all, half or first:F", "half");
var sigma = Opt("--sigma", "Heatmap Gaussian σ in input pixels", 6.0);
var seed = Opt("--seed", "Random seed", 1);
var overlays = Opt("--overlays", "Test faces in the overlay figures", 8);
var output = Opt("--out", "Output folder", "samples/FacialExpression/out");
var threads = Opt("--threads", "LibTorch CPU threads", Environment.ProcessorCount);
var validationFraction = Opt("--validation-fraction",
    "Share of each class of the training faces held out for the per-epoch validation scores", 0.1);
var weights = new Option<string?>("--weights")
{
    Description = "Fine-tune from a TorchSharp state dict of --arch with the ImageNet head (1000 classes), e.g. " +
                  "torchvision's weights exported with TorchSharp's exportsd.py; the head is replaced for the classes",
};
var train = new Command("train",
    "Completes the landmarks, trains with PAL, writes metrics.md/json (accuracy per class, confusion matrix), " +
    "confusion-matrix.png, training-curves.png, heatmap-overlays.png and attribution-overlays.png.")
{
    architecture, size, epochs, batchSize, learningRate, layer, lambda, strategy, sigma, seed, overlays, output,
    threads, validationFraction, weights,
};
train.SetAction(p => TrainingDivergedException.ExitCodeOf(() =>
{
    torch.set_num_threads(p.GetValue(threads));
    var predictor = ShapePredictor.Load(p.GetValue(model));
    var (trainSet, testSet) = FaceLayouts.Load(Data(p), predictor);
    var inputSize = p.GetValue(size);
    var trainImages = FaceImages.Prepare(trainSet, inputSize);
    var testImages = FaceImages.Prepare(testSet, inputSize);
    var settings = new TrainSettings(p.GetValue(architecture)!, inputSize, p.GetValue(epochs), p.GetValue(batchSize),
        p.GetValue(learningRate), p.GetValue(layer), p.GetValue(lambda), p.GetValue(strategy)!, p.GetValue(sigma),
        p.GetValue(seed), p.GetValue(overlays), p.GetValue(output)!, p.GetValue(validationFraction),
        p.GetValue(weights));
    Training.Run(trainImages, testImages, settings);
    Console.WriteLine($"wrote {settings.Output}/metrics.md, metrics.json, confusion-matrix.csv/.png, " +
                      "training-curves.png, heatmap-overlays.png, attribution-overlays.png");
    return 0;
}));
root.Subcommands.Add(train);


return root.Parse(args).Invoke();
