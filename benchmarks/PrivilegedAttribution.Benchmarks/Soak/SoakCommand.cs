using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using PrivilegedAttribution.Benchmarks.Ratios;
using TorchSharp;

namespace PrivilegedAttribution.Benchmarks.Soak;

/// <summary>
/// The <c>soak</c> command: long PAL training runs of ResNet-18, one fresh process per optimiser (so that no run
/// inherits another's heap), and a short table of live tensors and resident memory at the checkpoints, with the CPU
/// named. Memory that stays flat shows as the same figures at every checkpoint after the first. scripts/soak.sh
/// runs it.
/// </summary>
public static class SoakCommand
{
    private const string OptimizerOption = "--optimizer";
    private const string ChildOption = "--child";

    /// <summary>The command; <paramref name="prepare"/> sets the process up as every command of this program does
    /// (CPU back end, threads) and returns the back end's switches, which the child processes get too.</summary>
    public static Command Create(Func<ParseResult, BackendSwitches> prepare)
    {
        var steps = new Option<int>("--steps")
        {
            Description = "PAL steps per optimiser", DefaultValueFactory = _ => 2000,
        };
        var batch = new Option<int>("--batch") { Description = "Images per batch", DefaultValueFactory = _ => 8 };
        var size = new Option<int>("--size") { Description = "Image side in pixels", DefaultValueFactory = _ => 64 };
        var optimizers = new Option<string>(OptimizerOption)
        {
            Description = $"Optimisers, comma-separated: {string.Join(", ", SoakOptimizer.Names)} or all",
            DefaultValueFactory = _ => "all",
        };
        var limit = new Option<int>("--max-resident-mib")
        {
            Description = "Stop a run whose resident memory passes this many MiB (the machine's memory is shared)",
            DefaultValueFactory = _ => 6144,
        };
        var output = new Option<string?>("--output") { Description = "Also write the report to this file" };
        var child = new Option<bool>(ChildOption) { Description = "Internal: run one optimiser here", Hidden = true };
        var command = new Command("soak", "Long PAL runs of ResNet-18 with TorchSharp's and the flat-memory " +
            "optimisers: live tensors and resident memory at four checkpoints")
        {
            steps, batch, size, optimizers, limit, output, child,
        };
        AtLeast(steps, 20);
        AtLeast(batch, 1);
        AtLeast(size, 32);
        AtLeast(limit, 256);
        optimizers.Validators.Add(result =>
        {
            var unknown = Split(result.GetValueOrDefault<string>() ?? "all")
                .Where(name => !SoakOptimizer.Names.Contains(name));
            foreach (var name in unknown)
            {
                result.AddError(
                    $"Unknown optimiser '{name}': expected {string.Join(", ", SoakOptimizer.Names)} or all.");
            }
        });
        command.SetAction(parse =>
        {
            var backend = prepare(parse);
            string[] setup = [.. backend.ToArguments(), "--threads", $"{torch.get_num_threads()}"];
            var names = Split(parse.GetValue(optimizers)!);
            int stepCount = parse.GetValue(steps), batchSize = parse.GetValue(batch), side = parse.GetValue(size);
            if (parse.GetValue(child))
            {
                // A child: the soak of one optimiser, its readings as the last line.
                var result = SoakRun.Run(names[0], stepCount, batchSize, side,
                    (long)parse.GetValue(limit) << 20, Console.Error.WriteLine);
                Console.WriteLine(result.ToJsonString());
                return 0;
            }

            var (file, prefix) = ProbeProcess.Self();
            var runs = names.Select(name =>
            {
                Console.Error.WriteLine($"soak: {SoakOptimizer.Describe(name)}, {stepCount} steps ...");
                return ProbeProcess.Run(file,
                [
                    .. prefix, "soak", OptimizerOption, name, "--steps", $"{stepCount}", "--batch", $"{batchSize}",
                    "--size", $"{side}", "--max-resident-mib", $"{parse.GetValue(limit)}", ChildOption, .. setup,
                ]).AsObject();
            }).ToArray();
            var report = Report(runs, stepCount, batchSize, side, $"{backend}, {torch.get_num_threads()} threads");
            Console.WriteLine(report);
            if (parse.GetValue(output) is { } path)
            {
                File.WriteAllText(path, report);
            }

            return 0;
        });
        return command;
    }

    /// <summary>The Markdown report: the set-up and CPU, then one row per optimiser.</summary>
    public static string Report(IReadOnlyList<JsonObject> runs, int steps, int batch, int size, string setup)
    {
        static double Mb(JsonNode? bytes) => (bytes?.GetValue<long>() ?? 0) / (1024.0 * 1024.0);
        var checkpoints = SoakRun.Checkpoints(steps);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Soak: TorchVision ResNet-18, batch {batch}, {size}x{size}, PAL at {SoakRun.Layer} " +
            $"(λ {SoakRun.Lambda}), {steps} steps per optimiser, each in a fresh process; {setup}");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"CPU: {CpuDescription.OfThisMachine()}; TorchSharp {typeof(torch).Assembly.GetName().Version}");
        text.AppendLine();
        var stepsHeader = string.Join(" | ", checkpoints.Select(c => $"RSS @{c}"));
        text.AppendLine($"| optimiser | live tensors, first → last | {stepsHeader} | last / first | glibc heap, " +
                        "last | GCs | s/step |");
        text.AppendLine($"|---|---|{string.Concat(checkpoints.Select(_ => "---:|"))}---:|---:|---:|---:|");
        foreach (var run in runs)
        {
            var readings = run["readings"]!.AsArray().Select(r => r!.AsObject()).ToArray();
            var first = readings[0];
            var last = readings[^1];
            var stoppedAt = run["stopped_at"]?.GetValue<int>();
            var resident = string.Join(" | ", checkpoints.Select(c =>
                readings.FirstOrDefault(r => r["step"]!.GetValue<int>() == c) is { } r
                    ? $"{Mb(r["resident_bytes"]):F0} MiB"
                    : stoppedAt is { } s && s < c ? "stopped" : "–"));
            var ratio = Mb(last["resident_bytes"]) / Mb(first["resident_bytes"]);
            var seconds = last["seconds"]!.GetValue<double>() / last["step"]!.GetValue<int>();
            var name = SoakOptimizer.Describe(run["optimizer"]!.GetValue<string>());
            if (stoppedAt is { } stop)
            {
                name += $" (stopped at step {stop}: {Mb(last["resident_bytes"]):F0} MiB resident)";
            }

            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {name} | {first["live_tensors"]} → {last["live_tensors"]} | {resident} | {ratio:F2} | " +
                $"{Mb(last["heap_bytes"]):F0} MiB ({Mb(last["in_use_bytes"]):F0} in use) | {last["collections"]} | " +
                $"{seconds:F3} |");
        }

        return text.ToString();
    }

    private static void AtLeast(Option<int> option, int minimum) => option.Validators.Add(result =>
    {
        if (result.GetValueOrDefault<int>() < minimum)
        {
            result.AddError($"{option.Name} must be at least {minimum}; got {result.GetValueOrDefault<int>()}.");
        }
    });

    private static List<string> Split(string list) => list == "all"
        ? [.. SoakOptimizer.Names]
        : [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
