using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using PrivilegedAttribution.Landmarks.Benchmarks;
using PrivilegedAttribution.Landmarks.Benchmarks.VersusDlib;

// dotnet run -c Release --project benchmarks/PrivilegedAttribution.Landmarks.Benchmarks
//     (taskset -c 0 in front pins it to one core; the predictor itself is single-threaded per face)
// dotnet run -c Release --project benchmarks/PrivilegedAttribution.Landmarks.Benchmarks -- --quick
//     (a stopwatch check without BenchmarkDotNet: load once, then 200 faces)
// dotnet run -c Release --project benchmarks/PrivilegedAttribution.Landmarks.Benchmarks -- versus-dlib [options]
//     (dlib's C++ predictor and ours on the same faces and boxes in one run; --help lists the options)
if (args.Length > 0 && args[0] == "versus-dlib")
{
    return VersusDlibCommand.Run(args[1..]);
}

if (args.Contains("--quick"))
{
    QuickCheck.Run();
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(PredictionBenchmark).Assembly)
    .Run(args, DefaultConfig.Instance.WithOptions(ConfigOptions.JoinSummary));
return 0;
