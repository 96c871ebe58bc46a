using System.CommandLine;
using PrivilegedAttribution.Benchmarks;

namespace PrivilegedAttribution.Landmarks.Benchmarks.VersusDlib;

/// <summary>
/// The <c>versus-dlib</c> command line (System.CommandLine, as the other benchmark program): its options, checked,
/// into <see cref="VersusDlibOptions"/>; <c>--help</c> lists them.
/// </summary>
public static class VersusDlibCommand
{
    /// <summary>Parses the arguments after the command word and runs the benchmark; returns the exit code, or
    /// <see cref="CommandLineInvocation.UsageExitCode"/> with the errors on standard error.</summary>
    public static int Run(string[] args) => CommandLineInvocation.Invoke(Create(args), args);

    /// <summary>The command; <paramref name="args"/> only name the run in its report.</summary>
    public static RootCommand Create(string[] args)
    {
        var root = FixtureFaces.RepositoryRoot();
        var faces = new Option<string>("--faces")
        {
            Description = "The face fixture folder (scripts/make-face-fixture.sh)",
            DefaultValueFactory = _ => Path.Combine(root, "artifacts", "face-fixture"),
        };
        var model = new Option<string?>("--model")
        {
            Description = "dlib's 68-point model file [default: the tests' model, /usr/share/dlib or " +
                          "PRIVILEGED_ATTRIBUTION_LANDMARK_MODEL]",
        };
        var tools = new Option<string[]>("--dlib-tool")
        {
            Description = "A dlib timing program (tools/dlib-reference), repeatable [default: the portable and the " +
                          "-march=native builds under artifacts/dlib-reference]",
        };
        var repeat = Positive("--repeat", "Timed passes over the faces, and timed batches, per round", 20);
        var rounds = Positive("--rounds", "Rounds, each running every predictor once, the order reversed every " +
                                          "other round", 3);
        var batch = Positive("--batch", "Faces per batch", 256);
        var threads = Positive("--threads", "Threads of a batch", Environment.ProcessorCount);
        var loads = Positive("--loads", "Model loads per round", 3);
        var output = new Option<string?>("--output") { Description = "Also write the report to this file" };
        var command = new RootCommand("dlib's C++ shape predictor and ours on the same faces and boxes, one run: " +
            "per face on one thread, a batch on all cores, and model loading.")
        {
            faces, model, tools, repeat, rounds, batch, threads, loads, output,
        };
        command.SetAction(parse =>
        {
            var given = parse.GetValue(tools) ?? [];
            var options = new VersusDlibOptions(parse.GetValue(faces)!,
                ShapePredictor.ResolveModelPath(parse.GetValue(model)),
                given.Length > 0 ? given.Select(path => new DlibTool(Path.GetFullPath(path))).ToList()
                    : DlibTool.Default(root),
                parse.GetValue(repeat), parse.GetValue(rounds), parse.GetValue(batch), parse.GetValue(threads),
                parse.GetValue(loads), parse.GetValue(output));
            var report = VersusDlibBenchmark.Run(options, "dotnet run -c Release --project " +
                "benchmarks/PrivilegedAttribution.Landmarks.Benchmarks -- versus-dlib " + string.Join(' ', args));
            Console.WriteLine(report);
            if (options.Output is not null)
            {
                File.WriteAllText(options.Output, report);
            }

            return 0;
        });
        return command;
    }

    private static Option<int> Positive(string name, string description, int value)
    {
        var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => value };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError($"{name} must be a positive integer; got {result.GetValueOrDefault<int>()}.");
            }
        });
        return option;
    }
}
