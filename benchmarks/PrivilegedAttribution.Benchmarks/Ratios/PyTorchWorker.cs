using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PrivilegedAttribution.Benchmarks.Ratios;

/// <summary>
/// The PyTorch counterpart (benchmarks/pytorch/pal_step.py) running as a separate process that executes one
/// command at a time (<see cref="JsonLineWorker"/>), so that the driver can interleave its steps with TorchSharp's:
/// while one framework runs, the other waits on a pipe and uses no CPU.
/// </summary>
public sealed class PyTorchWorker : IDisposable
{
    /// <summary>Debian's interpreter, whose python3-torch the counterpart is written for.</summary>
    public const string Interpreter = "/usr/bin/python3";

    private readonly JsonLineWorker _worker;

    private PyTorchWorker(JsonLineWorker worker) => _worker = worker;

    /// <summary>"PyTorch 1.13.0, torchvision 0.14.1, 2 threads, ATen CPU capability AVX2, allocator kept", as the
    /// worker reports them.</summary>
    public string Versions { get; private set; } = "";

    /// <summary>The script beside the benchmark binary (copied at build time).</summary>
    public static string ScriptPath => Path.Combine(AppContext.BaseDirectory, "pytorch", "pal_step.py");

    /// <summary>Why PyTorch cannot run here, or null when it can.</summary>
    public static string? Unavailable()
    {
        if (!File.Exists(Interpreter))
        {
            return $"{Interpreter} is missing";
        }

        if (!File.Exists(ScriptPath))
        {
            return $"{ScriptPath} is missing";
        }

        using var probe = Process.Start(new ProcessStartInfo(Interpreter, ["-c", "import torch, torchvision"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        probe.StandardError.ReadToEnd();
        probe.WaitForExit();
        return probe.ExitCode == 0
            ? null
            : "Debian's python3-torch/python3-torchvision are not installed (apt-get install -y python3-torch " +
              "python3-torchvision)";
    }

    /// <summary>Starts the worker and builds its workload.</summary>
    /// <param name="options">The workload.</param>
    /// <param name="threads">PyTorch's intra-op threads.</param>
    /// <param name="keepFreedMemory">Whether the worker's glibc keeps freed memory, as this process's does under
    /// <c>--allocator kept</c> (<see cref="CpuBackend.KeepFreedMemory"/>): both frameworks run under the same setting.
    /// </param>
    public static PyTorchWorker Start(Workloads.WorkloadOptions options, int threads, bool keepFreedMemory)
    {
        var worker = new PyTorchWorker(JsonLineWorker.Start(Interpreter, [ScriptPath, "worker"]));
        JsonNode ready;
        try
        {
            ready = worker._worker.Ask(new JsonObject
            {
                ["cmd"] = "setup",
                ["model"] = options.Model,
                ["batch"] = options.Batch,
                ["size"] = options.Size,
                ["classes"] = options.Classes,
                ["lam"] = options.Lambda,
                ["landmarks"] = options.Landmarks,
                ["seed"] = options.Seed,
                ["threads"] = threads,
                ["keep_freed_memory"] = keepFreedMemory,
                ["zero_grad"] = options.ZeroGrad,
            });
        }
        catch
        {
            worker.Dispose();
            throw;
        }

        worker.Versions = $"PyTorch {ready["torch"]}, torchvision {ready["torchvision"]}, " +
                          $"{ready["threads"]} threads, " +
                          $"ATen CPU capability {ready["cpu_capability"] ?? "unknown"}, allocator " +
                          ((bool?)ready["keeps_freed_memory"] == true ? "kept" : "default");
        if (keepFreedMemory && (bool?)ready["keeps_freed_memory"] != true)
        {
            worker.Dispose();
            throw new InvalidOperationException("The PyTorch worker's glibc refused to keep freed memory.");
        }
        return worker;
    }

    /// <summary>Runs <paramref name="count"/> consecutive steps of <paramref name="step"/> at <paramref name="layer"/>
    /// as one block: the means per step of wall time, the worker's system time and its minor page faults, and each
    /// step's wall time.</summary>
    public StepTiming TimeBlock(string step, string layer, int count)
    {
        var answer = _worker.Ask(new JsonObject
        {
            ["cmd"] = "time", ["step"] = step, ["layer"] = layer, ["count"] = count,
        });
        var steps = answer["ms"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        return new StepTiming(steps.Average(), (double)answer["system_ms"]! / count,
            (double)answer["minor_faults"]! / count, steps);
    }

    /// <summary>Stops the worker.</summary>
    public void Dispose() => _worker.Dispose();

    /// <summary>Runs the worker's fresh-process memory probe and returns its JSON answer.</summary>
    public static JsonNode MemoryProbe(Workloads.WorkloadOptions options, string step, string layer, int threads,
        int repeats, bool keepFreedMemory)
    {
        string[] arguments =
        [
            ScriptPath, "memory", "--model", options.Model, "--batch", $"{options.Batch}", "--size",
            $"{options.Size}", "--layer", layer, "--step", step, "--threads", $"{threads}", "--repeat", $"{repeats}",
            "--zero-grad", options.ZeroGrad, .. keepFreedMemory ? new[] { "--keep-freed-memory" } : [],
        ];
        return ProbeProcess.Run(Interpreter, arguments);
    }
}
