using BenchmarkDotNet.Running;
using PrivilegedAttribution.Benchmarks;
using PrivilegedAttribution.Benchmarks.Backend;
using PrivilegedAttribution.Benchmarks.Measurement;
using PrivilegedAttribution.Benchmarks.Profiling;
using PrivilegedAttribution.Benchmarks.Ratios;
using PrivilegedAttribution.Benchmarks.Suites;
using PrivilegedAttribution.Benchmarks.Workloads;
using TorchSharp;

// Commands (all take --config short|medium|full and --threads N, default medium and 2, and --allocator kept|default
// and --onednn auto|on|off, default kept and auto: CpuBackend.ConfigureForTraining()'s settings):
//   bdn [BenchmarkDotNet arguments]  the BenchmarkDotNet suites (all of them unless --filter is given)
//   ratios [--no-pytorch] [--no-memory] [--output FILE] [--suites NAME,...|all] [--steps-per-block K] [--json FILE]
//                                    the ratios, TorchSharp and PyTorch interleaved, as a Markdown table
//                                    (suites: resnet18-112 (default), resnet18-224, vgg11bn-112; see RatioSuite)
//   profile [--layer L] [--traces DIR]
//                                    where the PAL step's time goes: parts of the step and LibTorch's operator profile
//   conv-probe                       one layer4 convolution's double backward taken apart (part of profile)
//   backend [--output FILE]          what oneDNN off and the kept allocator cost and gain, plain and PAL steps of
//                                    ResNet-18 and the Decoy MNIST CNN, all four settings in one run
//   smoke                            CI: bdn, ratios, profile and backend in the short configuration (proves they run)
//   memory-probe ...                 internal: the ratio driver's fresh-process peak-memory measurement
//   backend-worker                   internal: the backend command's worker for one allocator setting
const string Usage = "usage: PrivilegedAttribution.Benchmarks (bdn|ratios|profile|conv-probe|backend|smoke) " +
                     "[--config short|medium|full] [--threads N] [--allocator kept|default] [--onednn auto|on|off] " +
                     "[options]; see Program.cs and the README.";

var arguments = new Arguments(args);
var command = arguments.Command ?? "bdn";
var profile = BenchmarkProfile.Named(arguments.Value("--config") ?? (command == "smoke" ? "short" : "medium"));
var threads = int.Parse(arguments.Value("--threads") ?? "2", System.Globalization.CultureInfo.InvariantCulture);

// CpuBackend.ConfigureForTraining() unless the run chooses otherwise: allocator keeps freed memory (no page faults
// each step), NNPACK off (its log flood), oneDNN off on AVX-512 CPUs (its NaN bug there).
var backend = BackendSwitches.From(arguments);
backend.Apply();
torch.set_num_threads(threads);
BenchmarkProfile.Current = profile;
var commandLine = "dotnet run -c Release --project benchmarks/PrivilegedAttribution.Benchmarks -- " +
                  string.Join(' ', args);

switch (command)
{
    case "bdn":
        return RunBenchmarkDotNet(arguments.Rest, profile);
    case "ratios":
    {
        var report = RatioDriver.Run(profile, threads, backend, !arguments.Flag("--no-pytorch"),
            !arguments.Flag("--no-memory"), commandLine, RatioRequest.Parse(arguments.Value("--suites"),
                arguments.Value("--steps-per-block"), arguments.Value("--json")));
        Emit(report, arguments.Value("--output"));
        return 0;
    }

    case "profile":
    {
        var traces = arguments.Value("--traces") ?? Path.Combine(Path.GetTempPath(), "pal-traces");
        Emit(StepProfile.Run(profile, arguments.Value("--layer") ?? "layer3", threads, traces, commandLine),
            arguments.Value("--output"));
        return 0;
    }

    case "backend":
        Emit(BackendDriver.Run(profile, threads, commandLine), arguments.Value("--output"));
        return 0;
    case "backend-worker":
        BackendWorker.Serve(profile, backend);
        return 0;
    case "conv-probe":
        Console.WriteLine(ConvDoubleBackwardProbe.Run(profile.BatchSizes[0], profile.InputSizes[0],
            Math.Max(3, profile.Rounds)));
        return 0;
    case "smoke":
    {
        // Every part once in the short configuration: a failure anywhere fails CI; the times mean nothing.
        var failed = RunBenchmarkDotNet([], profile);
        Console.WriteLine(RatioDriver.Run(profile, threads, backend, withPyTorch: true, withMemory: true,
            commandLine));
        Console.WriteLine(StepProfile.Run(profile, "layer3", threads,
            Path.Combine(Path.GetTempPath(), "pal-traces-smoke"), commandLine));
        Console.WriteLine(BackendDriver.Run(profile, threads, commandLine));
        Console.WriteLine(failed == 0 ? "benchmark smoke run: everything ran" : "benchmark smoke run: FAILED");
        return failed;
    }

    case "memory-probe":
        MemoryProbe.Run(
            new WorkloadOptions(arguments.Value("--model") ?? "resnet18", int.Parse(arguments.Value("--batch") ?? "16"),
                int.Parse(arguments.Value("--size") ?? "112")),
            new StepCase(Enum.Parse<TrainingStep>(arguments.Value("--step") ?? "Plain"),
                arguments.Value("--layer") ?? "layer3"),
            int.Parse(arguments.Value("--warmup") ?? "2"), int.Parse(arguments.Value("--repeat") ?? "3"));
        return 0;
    default:
        Console.Error.WriteLine(Usage);
        return 2;
}

// Runs the suites; 1 if any benchmark failed or did not run.
static int RunBenchmarkDotNet(string[] rest, BenchmarkProfile profile)
{
    var benchmarkArguments = rest.Contains("--filter") ? rest : [.. rest, "--filter", "*"];
    var summaries = BenchmarkSwitcher.FromTypes(
    [
        typeof(ResNetStepBenchmarks), typeof(VggStepBenchmarks), typeof(AttributionBenchmarks),
        typeof(PalLossBenchmarks), typeof(HeatmapBenchmarks),
    ]).Run(benchmarkArguments, BenchmarkConfig.For(profile)).ToList();
    var failures = summaries.Count == 0 || summaries.Any(s => s.HasCriticalValidationErrors ||
                                                              s.Reports.Any(r => !r.Success));
    return failures ? 1 : 0;
}

// Prints the report and, when asked, writes it to a file.
static void Emit(string report, string? output)
{
    Console.WriteLine(report);
    if (output is not null)
    {
        File.WriteAllText(output, report);
    }
}
