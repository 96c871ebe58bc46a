using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using PrivilegedAttribution.Landmarks.Benchmarks;

// dotnet run -c Release --project benchmarks/PrivilegedAttribution.Landmarks.Benchmarks
//     (taskset -c 0 in front pins it to one core; the predictor itself is single-threaded per face)
// dotnet run -c Release --project benchmarks/PrivilegedAttribution.Landmarks.Benchmarks -- --quick
//     (a stopwatch check without BenchmarkDotNet: load once, then 200 faces)
if (args.Contains("--quick"))
{
    QuickCheck.Run();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(PredictionBenchmark).Assembly)
    .Run(args, DefaultConfig.Instance.WithOptions(ConfigOptions.JoinSummary));
