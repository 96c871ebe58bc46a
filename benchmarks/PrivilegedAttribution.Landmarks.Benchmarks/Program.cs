using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using PrivilegedAttribution.Landmarks.Benchmarks;
using PrivilegedAttribution.Landmarks.Benchmarks.VersusDlib;

// dotnet run -c Release --project benchmarks/PrivilegedAttribution.Landmarks.Benchmarks
//     (taskset -c 0 in front pins it to one core; the predictor itself is single-threaded per face)
// dotnet run -c Release --project benchmarks/PrivilegedAttribution.Landmarks.Benchmarks -- --quick
//     (a stopwatch check without BenchmarkDotNet: load once, then 200 faces)
// dotnet run -c Release --project benchmarks/PrivilegedAttribution.Landmarks.Benchmarks -- versus-dlib [options]
//     (dlib's C++ predictor and ours on the same faces and boxes in one run: see VersusDlib/VersusDlibOptions.cs)
if (args.Length > 0 && args[0] == "versus-dlib")
{
    var options = VersusDlibOptions.Parse(args[1..]);
    var report = VersusDlibBenchmark.Run(options, "dotnet run -c Release --project " +
        "benchmarks/PrivilegedAttribution.Landmarks.Benchmarks -- " + string.Join(' ', args));
    Console.WriteLine(report);
    if (options.Output is not null)
    {
        File.WriteAllText(options.Output, report);
    }

    return;
}

if (args.Contains("--quick"))
{
    QuickCheck.Run();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(PredictionBenchmark).Assembly)
    .Run(args, DefaultConfig.Instance.WithOptions(ConfigOptions.JoinSummary));
