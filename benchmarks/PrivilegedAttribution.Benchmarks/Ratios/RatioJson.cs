using MathNet.Numerics.Statistics;
using System.Text.Json.Nodes;
using TorchSharp;

namespace PrivilegedAttribution.Benchmarks.Ratios;

/// <summary>
/// The ratio driver's result as JSON (<c>ratios --json FILE</c>), for comparing runs across machines: the machine
/// (<see cref="Machine.ToJson"/>: CPU model name, family, model, widest vector instruction set and its flags), the
/// software, the settings, and per suite every block of every contender (wall, system time and minor page faults per
/// step, each step's wall time), the ratios with their per-round values, and the peak memories. Values that were not
/// measured are null.
/// </summary>
public static class RatioJson
{
    /// <summary>The JSON document of <paramref name="results"/>.</summary>
    public static JsonObject Build(IReadOnlyList<SuiteResult> results, BenchmarkProfile profile, int threads,
        BackendSwitches backend, string command) => new()
        {
            ["command"] = command,
            ["machine"] = Machine.ToJson(),
            ["software"] = new JsonObject
            {
                ["torchsharp"] = typeof(torch).Assembly.GetName().Version?.ToString(),
                ["libtorch"] = torch.__version__,
                ["dotnet"] = Environment.Version.ToString(),
                ["pytorch"] = results.Select(r => r.PyTorchVersions).FirstOrDefault(v => v is not null),
                ["backend"] = backend.ToString(),
            },
            ["config"] = profile.Name,
            ["rounds"] = profile.Rounds,
            ["warmup_rounds"] = profile.WarmupRounds,
            ["threads"] = threads,
            ["suites"] = new JsonArray(results.Select(Suite).ToArray<JsonNode?>()),
        };

    private static JsonObject Suite(SuiteResult result) => new()
    {
        ["name"] = result.Suite.Name,
        ["description"] = result.Suite.Description,
        ["model"] = result.Options.Model,
        ["batch"] = result.Options.Batch,
        ["size"] = result.Options.Size,
        ["steps_per_block"] = result.StepsPerBlock,
        ["zero_grad"] = result.Options.ZeroGrad,
        ["started_utc"] = result.Started.ToString("O"),
        ["load_average_before"] = result.LoadBefore,
        ["load_average_after"] = result.LoadAfter,
        ["pytorch_note"] = result.PyTorchNote,
        ["contenders"] = new JsonObject(result.Times.Select(t =>
            KeyValuePair.Create(t.Key, (JsonNode?)new JsonArray(t.Value.Select(Block).ToArray<JsonNode?>())))),
        ["ratios"] = new JsonArray(result.Suite.TimeRatios
            .Select(r => (Ratio: r, PerRound: result.PerRound(r)))
            .Where(r => r.PerRound is not null)
            .Select(r => Ratio(r.Ratio, r.PerRound!))
            .ToArray<JsonNode?>()),
        ["memory_bytes_over_processes"] = result.Memory is null
            ? null
            : new JsonObject(result.Memory.Select(byMeasure => KeyValuePair.Create(byMeasure.Key.JsonKey(),
                (JsonNode?)new JsonObject(byMeasure.Value.Select(m => KeyValuePair.Create(m.Key,
                    (JsonNode?)new JsonObject
                    {
                        ["median"] = m.Value.Median,
                        ["min"] = m.Value.Min,
                        ["max"] = m.Value.Max,
                        ["processes"] = m.Value.Processes,
                    })))))),
        ["memory_ratios"] = new JsonArray(MemoryMeasures.All
            .SelectMany(measure => result.Suite.MemoryRatios
                .Select(r => (Ratio: r, Value: result.MemoryRatio(r, measure)))
                .Where(r => r.Value is not null)
                .Select(r => Ratio(r.Ratio, [r.Value!.Value], measure)))
            .ToArray<JsonNode?>()),
    };

    private static JsonObject Block(StepTiming timing) => new()
    {
        ["wall_ms_per_step"] = Number(timing.WallMilliseconds),
        ["system_ms_per_step"] = Number(timing.SystemMilliseconds),
        ["minor_faults_per_step"] = Number(timing.MinorPageFaults),
        ["steps_ms"] = timing.StepMilliseconds is null
            ? null
            : new JsonArray(timing.StepMilliseconds.Select(Number).ToArray()),
    };

    private static JsonObject Ratio(RatioDefinition ratio, double[] values, MemoryMeasure? measure = null)
    {
        var median = Statistics.Median(values);
        return new JsonObject
        {
            ["label"] = ratio.Label,
            ["measure"] = measure?.JsonKey(),
            ["numerator"] = ratio.Numerator,
            ["denominator"] = ratio.Denominator,
            ["target"] = ratio.Target.Length == 0 ? null : ratio.Target,
            ["median"] = Number(median),
            ["p25"] = Number(Quartiles.Of(values, 0.25)),
            ["p75"] = Number(Quartiles.Of(values, 0.75)),
            ["met"] = ratio.Meets is null ? null : ratio.Meets(median),
            ["values"] = new JsonArray(values.Select(Number).ToArray()),
        };
    }

    // JSON has no NaN: a value that was not measured is null.
    private static JsonNode? Number(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;
}
