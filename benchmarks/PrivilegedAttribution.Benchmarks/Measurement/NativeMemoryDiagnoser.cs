using BenchmarkDotNet.Analysers;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Validators;
using TorchSharp;

namespace PrivilegedAttribution.Benchmarks.Measurement;

/// <summary>
/// Reports, beside each benchmark's time, what BenchmarkDotNet's managed memory diagnoser cannot see: the peak
/// native (LibTorch) memory of the measured iterations above the resident size before them (see
/// <see cref="NativeMemory"/>), the TorchSharp tensor handles created per operation, and the handles still alive
/// after the run that were not before (a leak shows here). It needs the in-process toolchain, since it reads the
/// benchmark's own process and thread.
/// </summary>
public sealed class NativeMemoryDiagnoser : IDiagnoser
{
    private readonly Dictionary<BenchmarkCase, Sample> _samples = new();
    private Start? _start;

    /// <inheritdoc />
    public IEnumerable<string> Ids => ["NativeMemory"];

    /// <inheritdoc />
    public IEnumerable<IExporter> Exporters => [];

    /// <inheritdoc />
    public IEnumerable<IAnalyser> Analysers => [];

    /// <inheritdoc />
    public RunMode GetRunMode(BenchmarkCase benchmarkCase) => RunMode.NoOverhead;

    /// <inheritdoc />
    public bool RequiresBlockingAcknowledgments(BenchmarkCase benchmarkCase) => false;

    /// <inheritdoc />
    public void Handle(HostSignal signal, DiagnoserActionParameters parameters)
    {
        // In process, the signals arrive on the benchmark's own thread, whose tensor statistics are the ones to read.
        var statistics = DisposeScopeManager.Statistics;
        if (signal == HostSignal.BeforeActualRun)
        {
            var created = statistics.CreatedInScopeCount + statistics.CreatedOutsideScopeCount;
            _start = new Start(NativeMemory.BeginPeak(), created, statistics.ThreadTotalLiveCount);
        }
        else if (signal == HostSignal.AfterActualRun && _start is { } start)
        {
            var created = statistics.CreatedInScopeCount + statistics.CreatedOutsideScopeCount;
            _samples[parameters.BenchmarkCase] = new Sample(NativeMemory.EndPeak(start.Resident),
                created - start.Created, statistics.ThreadTotalLiveCount - start.Live);
            _start = null;
        }
    }

    /// <inheritdoc />
    public IEnumerable<Metric> ProcessResults(DiagnoserResults results)
    {
        if (!_samples.TryGetValue(results.BenchmarkCase, out var sample))
        {
            yield break;
        }

        var operations = Math.Max(1, results.TotalOperations);
        yield return new Metric(PeakNative.Descriptor, sample.PeakBytes / (1024.0 * 1024.0));
        yield return new Metric(TensorsPerOperation.Descriptor, (double)sample.Created / operations);
        yield return new Metric(LiveTensorsAfter.Descriptor, sample.LiveDelta);
    }

    /// <inheritdoc />
    public void DisplayResults(ILogger logger) => logger.WriteLineInfo(
        "Native peak: VmHWM reached during the measured iterations minus VmRSS before them (after malloc_trim). " +
        "Tensors/op: TorchSharp tensor handles created per operation. Live Δ: handles alive after the run that " +
        "were not before it (0 = no leak).");

    /// <inheritdoc />
    public IEnumerable<ValidationError> Validate(ValidationParameters validationParameters)
    {
        foreach (var benchmark in validationParameters.Benchmarks)
        {
            if (benchmark.Job.Infrastructure.Toolchain is not { IsInProcess: true })
            {
                yield return new ValidationError(true,
                    "NativeMemoryDiagnoser reads the benchmark's own process: use the in-process toolchain.",
                    benchmark);
            }
        }
    }

    private sealed record Start(long Resident, long Created, long Live);

    private sealed record Sample(double PeakBytes, long Created, long LiveDelta);

    private sealed class PeakNative : IMetricDescriptor
    {
        internal static readonly IMetricDescriptor Descriptor = new PeakNative();

        public string Id => "NativePeak";
        public string DisplayName => "Native peak MiB";
        public string Legend => "Peak resident memory of the measured iterations above the resident size before them";
        public string NumberFormat => "0.0";
        public UnitType UnitType => UnitType.Dimensionless;
        public string Unit => "MiB";
        public bool TheGreaterTheBetter => false;
        public int PriorityInCategory => 0;
        public bool GetIsAvailable(Metric metric) => !double.IsNaN(metric.Value);
    }

    private sealed class TensorsPerOperation : IMetricDescriptor
    {
        internal static readonly IMetricDescriptor Descriptor = new TensorsPerOperation();

        public string Id => "TensorsPerOp";
        public string DisplayName => "Tensors/op";
        public string Legend => "TorchSharp tensor handles created per operation";
        public string NumberFormat => "0";
        public UnitType UnitType => UnitType.Dimensionless;
        public string Unit => "handles";
        public bool TheGreaterTheBetter => false;
        public int PriorityInCategory => 1;
        public bool GetIsAvailable(Metric metric) => true;
    }

    private sealed class LiveTensorsAfter : IMetricDescriptor
    {
        internal static readonly IMetricDescriptor Descriptor = new LiveTensorsAfter();

        public string Id => "LiveTensorsDelta";
        public string DisplayName => "Live Δ";
        public string Legend => "TorchSharp tensor handles alive after the measured iterations that were not before";
        public string NumberFormat => "0";
        public UnitType UnitType => UnitType.Dimensionless;
        public string Unit => "handles";
        public bool TheGreaterTheBetter => false;
        public int PriorityInCategory => 2;
        public bool GetIsAvailable(Metric metric) => true;
    }
}
