using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;
using PrivilegedAttribution.Benchmarks.Measurement;

namespace PrivilegedAttribution.Benchmarks;

/// <summary>
/// BenchmarkDotNet's configuration for a <see cref="BenchmarkProfile"/>. The benchmarks run in this process: an
/// out-of-process run would generate, restore and build a new project per benchmark, copying LibTorch (~0.5 GB) each
/// time, and the native-memory columns must read the benchmark's own process. Each training step is long (hundreds
/// of milliseconds), so one invocation per iteration and a fixed, small number of iterations; medians are shown,
/// since the shared 2-core machine makes the mean noisy.
/// </summary>
public static class BenchmarkConfig
{
    /// <summary>The configuration of <paramref name="profile"/>.</summary>
    public static IConfig For(BenchmarkProfile profile)
    {
        var job = Job.Default
            .WithToolchain(new InProcessEmitToolchain(TimeSpan.FromHours(2), logOutput: true))
            .WithLaunchCount(1)
            .WithWarmupCount(profile.WarmupCount)
            .WithIterationCount(profile.IterationCount);
        if (profile == BenchmarkProfile.Short)
        {
            // A smoke run: every case once, no pilot stage, no statistics worth reading.
            job = job.WithStrategy(RunStrategy.Monitoring).WithInvocationCount(1).WithUnrollFactor(1);
        }
        else
        {
            // Long operations: the pilot stage would pick one invocation anyway; short ones (heatmaps) get more.
            job = job.WithIterationTime(TimeInterval.FromMilliseconds(250));
        }

        return ManualConfig.CreateEmpty()
            .AddJob(job.WithId(profile.Name))
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddColumn(StatisticColumn.Median)
            .AddDiagnoser(new NativeMemoryDiagnoser())
            .AddLogger(BenchmarkDotNet.Loggers.ConsoleLogger.Default)
            .AddExporter(BenchmarkDotNet.Exporters.MarkdownExporter.GitHub)
            .WithSummaryStyle(SummaryStyle.Default.WithRatioStyle(RatioStyle.Value).WithMaxParameterColumnWidth(40))
            .WithOptions(ConfigOptions.DisableLogFile);
    }
}
