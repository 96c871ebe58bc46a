using System.CommandLine;
using BenchmarkDotNet.Running;
using PrivilegedAttribution.Benchmarks.Investigations.Backend;
using PrivilegedAttribution.Benchmarks.Investigations.Profiling;
using PrivilegedAttribution.Benchmarks.Measurement;
using PrivilegedAttribution.Benchmarks.Ratios;
using PrivilegedAttribution.Benchmarks.Soak;
using PrivilegedAttribution.Benchmarks.Suites;
using PrivilegedAttribution.Benchmarks.Workloads;
using TorchSharp;

namespace PrivilegedAttribution.Benchmarks;

/// <summary>
/// This program's commands and options (System.CommandLine): a command word, then its options; <c>bdn</c> (also the
/// default when no command is given) hands every argument that is not ours to BenchmarkDotNet. Every command takes
/// <c>--config</c>, <c>--threads</c>, <c>--allocator</c> and <c>--onednn</c>; <c>--help</c> lists them all.
/// </summary>
public static class BenchmarkCommandLine
{
    /// <summary>The exit code of a command line that does not parse.</summary>
    public const int UsageExitCode = CommandLineInvocation.UsageExitCode;

    private const string ProjectCommand = "dotnet run -c Release --project benchmarks/PrivilegedAttribution.Benchmarks";

    /// <summary>Parses <paramref name="args"/>, sets the process up (CPU back end, threads, configuration) and runs
    /// the command; returns its exit code, or <see cref="UsageExitCode"/> with the errors on standard error.</summary>
    public static int Run(string[] args) => CommandLineInvocation.Invoke(Create(args), args);

    /// <summary>The command tree; <paramref name="args"/> only name the run in the reports it writes.</summary>
    public static RootCommand Create(string[] args)
    {
        var config = new Option<string?>("--config")
        {
            Description = "Workload sizes: short, medium or full [default: medium; short for smoke]",
            Recursive = true,
        };
        config.AcceptOnlyFromAmong("short", "medium", "full");
        var threads = Opt("--threads", "LibTorch CPU threads", 2, recursive: true);
        var allocator = Opt("--allocator", "glibc keeps freed memory (kept) or runs as it is (default)", "kept",
            recursive: true);
        allocator.AcceptOnlyFromAmong("kept", "default");
        var oneDnn = Opt("--onednn", "oneDNN convolutions: auto (off on AVX-512 CPUs, where they return NaN), on " +
            "or off", "auto", recursive: true);
        oneDnn.AcceptOnlyFromAmong("auto", "on", "off");
        var commandLine = $"{ProjectCommand} -- {string.Join(' ', args)}";

        // What every command does first: CpuBackend.ConfigureForTraining()'s settings unless the run chooses
        // otherwise (allocator keeps freed memory, NNPACK off, oneDNN off on AVX-512 CPUs), then threads.
        RunSetup Prepare(ParseResult parse, bool smoke = false)
        {
            var profile = BenchmarkProfile.Named(parse.GetValue(config) ?? (smoke ? "short" : "medium"));
            var backend = BackendSwitches.From(parse.GetValue(allocator)!, parse.GetValue(oneDnn)!);
            backend.Apply();
            torch.set_num_threads(parse.GetValue(threads));
            BenchmarkProfile.Current = profile;
            return new RunSetup(profile, parse.GetValue(threads), backend, commandLine);
        }

        var root = new RootCommand("PAL's benchmarks: BenchmarkDotNet suites, TorchSharp/PyTorch ratios, the PAL " +
            "step's profile and the CPU back end's settings. Without a command: bdn.")
        {
            config, threads, allocator, oneDnn,
        };
        root.TreatUnmatchedTokensAsErrors = false;
        root.SetAction(parse => parse.UnmatchedTokens.FirstOrDefault() is { } first && !first.StartsWith('-')
            ? UnknownCommand(first)
            : RunBenchmarkDotNet(parse.UnmatchedTokens, Prepare(parse).Profile));

        var bdn = new Command("bdn", "The BenchmarkDotNet suites, all of them unless --filter is given; every " +
            "argument that is not ours goes to BenchmarkDotNet (e.g. --filter '*PalLoss*', --job Dry)")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        bdn.SetAction(parse => RunBenchmarkDotNet(parse.UnmatchedTokens, Prepare(parse).Profile));

        var noPyTorch = new Option<bool>("--no-pytorch") { Description = "Leave out the PyTorch counterpart" };
        var noMemory = new Option<bool>("--no-memory") { Description = "Leave out the peak-memory probes" };
        var ratiosOutput = Output();
        var suites = new Option<string?>("--suites")
        {
            Description = "Sizes to run, comma-separated, or all: resnet18-112 (default), resnet18-224, vgg11bn-112, " +
                          "resnet18-112-variants (PAL against its first-order relatives)",
        };
        var stepsPerBlock = new Option<string?>("--steps-per-block")
        {
            Description = "Consecutive steps per contender and round (default: the configuration's)",
        };
        var json = new Option<string?>("--json") { Description = "Also write every block and ratio to this JSON file" };
        var ratiosZeroGrad = ZeroGradOption();
        var ratios = new Command("ratios", "The issue's ratios, TorchSharp and PyTorch interleaved, as a Markdown " +
            "table") { noPyTorch, noMemory, ratiosOutput, suites, stepsPerBlock, json, ratiosZeroGrad };
        // A suite or block size that does not parse is a usage error, reported before anything runs.
        ratios.Validators.Add(result =>
        {
            try
            {
                RatioRequest.Parse(result.GetValue(suites), result.GetValue(stepsPerBlock), jsonPath: null);
            }
            catch (ArgumentException e)
            {
                result.AddError(e.Message);
            }
        });
        ratios.SetAction(parse =>
        {
            var run = Prepare(parse);
            var request = RatioRequest.Parse(parse.GetValue(suites), parse.GetValue(stepsPerBlock),
                parse.GetValue(json)) with
            {
                ZeroGradInPlace = parse.GetValue(ratiosZeroGrad) == WorkloadOptions.ZeroGradInPlaceName,
            };
            Emit(RatioDriver.Run(run.Profile, run.Threads, run.Backend, !parse.GetValue(noPyTorch),
                !parse.GetValue(noMemory), run.CommandLine, request), parse.GetValue(ratiosOutput));
            return 0;
        });

        var profileLayer = Opt("--layer", "The layer PAL taps", "layer3");
        var traces = new Option<string?>("--traces")
        {
            Description = "Folder for LibTorch's traces [default: pal-traces in the temporary folder]",
        };
        var profileOutput = Output();
        var profileCommand = new Command("profile", "Where the PAL step's time goes: parts of the step and " +
            "LibTorch's operator profile") { profileLayer, traces, profileOutput };
        profileCommand.SetAction(parse =>
        {
            var run = Prepare(parse);
            var folder = parse.GetValue(traces) ?? Path.Combine(Path.GetTempPath(), "pal-traces");
            Emit(StepProfile.Run(run.Profile, parse.GetValue(profileLayer)!, run.Threads, folder, run.CommandLine),
                parse.GetValue(profileOutput));
            return 0;
        });

        var convProbe = new Command("conv-probe", "One layer4 convolution's double backward taken apart (part of " +
            "profile)");
        convProbe.SetAction(parse =>
        {
            var profile = Prepare(parse).Profile;
            Console.WriteLine(ConvDoubleBackwardProbe.Run(profile.BatchSizes[0], profile.InputSizes[0],
                Math.Max(3, profile.Rounds)));
            return 0;
        });

        var backendOutput = Output();
        var backend = new Command("backend", "What oneDNN off and the kept allocator cost and gain, plain and PAL " +
            "steps of ResNet-18 and the Decoy MNIST CNN, all four settings in one run") { backendOutput };
        backend.SetAction(parse =>
        {
            var run = Prepare(parse);
            Emit(BackendDriver.Run(run.Profile, run.Threads, run.CommandLine), parse.GetValue(backendOutput));
            return 0;
        });

        var smoke = new Command("smoke", "CI: bdn, ratios, profile and backend in the short configuration (proves " +
            "they run; the times mean nothing)");
        smoke.SetAction(parse => RunSmoke(Prepare(parse, smoke: true)));

        var model = Opt("--model", "resnet18 or vgg11_bn", "resnet18");
        var batch = Opt("--batch", "Batch size", 16);
        var size = Opt("--size", "Input side in pixels", 112);
        var step = Opt("--step", "The step to measure", TrainingStep.Plain);
        var probeLayer = Opt("--layer", "The layer PAL taps", "layer3");
        var warmup = Opt("--warmup", "Steps before the measurement", 2);
        var repeat = Opt("--repeat", "Steps measured", 3);
        var freeze = Opt("--freeze", "Diagnostic: no gradient for the parameters of this module (e.g. layer4), to " +
            "see what their gradients add to the peak", "");
        var zeroGrad = ZeroGradOption();
        var memoryProbe = new Command("memory-probe", "Internal: the ratio driver's fresh-process peak-memory " +
            "measurement of one step") { model, batch, size, step, probeLayer, warmup, repeat, freeze, zeroGrad };
        memoryProbe.SetAction(parse =>
        {
            Prepare(parse);
            var options = new WorkloadOptions(parse.GetValue(model)!, parse.GetValue(batch), parse.GetValue(size))
            {
                ZeroGradInPlace = parse.GetValue(zeroGrad) == WorkloadOptions.ZeroGradInPlaceName,
            };
            MemoryProbe.Run(options, new StepCase(parse.GetValue(step), parse.GetValue(probeLayer)!),
                parse.GetValue(warmup), parse.GetValue(repeat), parse.GetValue(freeze)!);
            return 0;
        });

        var backendWorker = new Command("backend-worker", "Internal: the backend command's worker for one allocator " +
            "setting (JSON lines on standard input and output)");
        backendWorker.SetAction(parse =>
        {
            var run = Prepare(parse);
            BackendWorker.Serve(run.Profile, run.Backend);
            return 0;
        });

        foreach (var command in new[] { bdn, ratios, profileCommand, convProbe, backend, smoke, memoryProbe,
                     backendWorker, SoakCommand.Create(parse => Prepare(parse).Backend) })
        {
            root.Subcommands.Add(command);
        }

        return root;
    }

    private static Option<T> Opt<T>(string name, string description, T value, bool recursive = false) =>
        new(name) { Description = description, DefaultValueFactory = _ => value, Recursive = recursive };

    private static Option<string?> Output() => new("--output") { Description = "Also write the report to this file" };

    private static Option<string> ZeroGradOption()
    {
        var option = Opt("--zero-grad", "How each step forgets the last one's gradients: none (model.zero_grad(), " +
            "the default) or in-place (optimizer.zero_grad())", WorkloadOptions.ZeroGradDropName);
        option.AcceptOnlyFromAmong(WorkloadOptions.ZeroGradDropName, WorkloadOptions.ZeroGradInPlaceName);
        return option;
    }

    private static int UnknownCommand(string word)
    {
        Console.Error.WriteLine($"Unknown command '{word}': bdn, ratios, profile, conv-probe, backend or smoke " +
            "(--help lists them).");
        return UsageExitCode;
    }

    /// <summary>Every part once: a failure anywhere fails CI.</summary>
    private static int RunSmoke(RunSetup run)
    {
        var failed = RunBenchmarkDotNet([], run.Profile);
        Console.WriteLine(RatioDriver.Run(run.Profile, run.Threads, run.Backend, withPyTorch: true, withMemory: true,
            run.CommandLine));
        Console.WriteLine(StepProfile.Run(run.Profile, "layer3", run.Threads,
            Path.Combine(Path.GetTempPath(), "pal-traces-smoke"), run.CommandLine));
        Console.WriteLine(BackendDriver.Run(run.Profile, run.Threads, run.CommandLine));
        Console.WriteLine(failed == 0 ? "benchmark smoke run: everything ran" : "benchmark smoke run: FAILED");
        return failed;
    }

    /// <summary>Runs the suites; 1 if any benchmark failed or did not run.</summary>
    private static int RunBenchmarkDotNet(IReadOnlyList<string> rest, BenchmarkProfile profile)
    {
        string[] benchmarkArguments = rest.Contains("--filter") ? [.. rest] : [.. rest, "--filter", "*"];
        var summaries = BenchmarkSwitcher.FromTypes(
        [
            typeof(ResNetStepBenchmarks), typeof(VggStepBenchmarks), typeof(AttributionBenchmarks),
            typeof(PalLossBenchmarks), typeof(HeatmapBenchmarks), typeof(AugmentationBenchmarks),
        ]).Run(benchmarkArguments, BenchmarkConfig.For(profile)).ToList();
        var failures = summaries.Count == 0 || summaries.Any(s => s.HasCriticalValidationErrors ||
                                                                  s.Reports.Any(r => !r.Success));
        return failures ? 1 : 0;
    }

    /// <summary>Prints the report and, when asked, writes it to a file.</summary>
    private static void Emit(string report, string? output)
    {
        Console.WriteLine(report);
        if (output is not null)
        {
            File.WriteAllText(output, report);
        }
    }

    /// <summary>What a command runs with, once the process is set up.</summary>
    private sealed record RunSetup(BenchmarkProfile Profile, int Threads, BackendSwitches Backend, string CommandLine);
}
