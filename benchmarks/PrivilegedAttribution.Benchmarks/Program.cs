using PrivilegedAttribution.Benchmarks;

// PAL's benchmarks. `--help` lists the commands (bdn, ratios, profile, conv-probe, backend, smoke and two internal
// ones) and their options; BenchmarkCommandLine declares them; the README's Benchmarks section shows the runs.
return BenchmarkCommandLine.Run(args);
