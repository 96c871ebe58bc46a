using System.Diagnostics;
using System.Text.Json.Nodes;
using PrivilegedAttribution.Benchmarks.Measurement;
using PrivilegedAttribution.Benchmarks.Ratios;
using PrivilegedAttribution.Benchmarks.Workloads;
using TorchSharp;

namespace PrivilegedAttribution.Benchmarks.Investigations.Backend;

/// <summary>
/// The worker side of the backend comparison (<c>backend-worker</c>, started by <see cref="BackendDriver"/> once per
/// allocator setting, which the program's start-up has applied): builds the profile's workloads and answers
/// <see cref="JsonLineWorker"/> commands.
/// <code>
/// {"cmd": "setup"}  -> {"threads": 2, "keeps_freed_memory": true}
/// {"cmd": "time", "workload": "ResNet-18", "step": "PalObjective", "onednn": false}
///                   -> {"wall_ms": 612.3, "system_ms": 4.1, "minor_faults": 120}   (per step)
/// </code>
/// oneDNN is switched before each timing: unlike the allocator, its switch can be flipped within a process.
/// </summary>
public static class BackendWorker
{
    /// <summary>Serves commands until the driver says quit.</summary>
    /// <param name="profile">Sizes of the workloads (<see cref="BackendWorkload.For"/>).</param>
    /// <param name="switches">The switches this process started with (its allocator setting is the one measured).
    /// </param>
    public static void Serve(BenchmarkProfile profile, BackendSwitches switches)
    {
        var workloads = new Dictionary<string, (ClassifierWorkload Workload, BackendWorkload Setting)>();
        try
        {
            foreach (var setting in BackendWorkload.For(profile))
            {
                workloads[setting.Name] = (new ClassifierWorkload(setting.Options), setting);
            }

            JsonLineWorker.Serve(command => (string?)command["cmd"] switch
            {
                "setup" => new JsonObject
                {
                    ["threads"] = torch.get_num_threads(),
                    ["keeps_freed_memory"] = switches.KeepFreedMemory,
                },
                "time" => Time(workloads[(string)command["workload"]!], Enum.Parse<TrainingStep>(
                    (string)command["step"]!), (bool)command["onednn"]!),
                var other => throw new ArgumentException($"Unknown command '{other}'."),
            });
        }
        finally
        {
            foreach (var (workload, _) in workloads.Values)
            {
                workload.Dispose();
            }
        }
    }

    // Runs the setting's steps back to back and answers the means per step.
    private static JsonObject Time((ClassifierWorkload Workload, BackendWorkload Setting) target, TrainingStep step,
        bool oneDnn)
    {
        if (!CpuBackend.SetMkldnnEnabled(oneDnn))
        {
            throw new InvalidOperationException("This LibTorch does not export the oneDNN switch.");
        }

        var (workload, setting) = target;
        var stepCase = new StepCase(step, setting.Options.PalLayer);
        workload.Prepare(stepCase);
        var count = setting.StepsPerTiming;
        var before = KernelUsage.Now();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            workload.Run(stepCase);
        }

        var wall = clock.Elapsed.TotalMilliseconds;
        var kernel = KernelUsage.Now() - before;
        return new JsonObject
        {
            ["wall_ms"] = wall / count,
            ["system_ms"] = kernel.SystemMilliseconds / count,
            ["minor_faults"] = double.IsNaN(kernel.MinorPageFaults)
                ? null
                : JsonValue.Create(kernel.MinorPageFaults / count),
        };
    }
}
