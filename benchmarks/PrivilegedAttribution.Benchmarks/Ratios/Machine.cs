using System.Text.Json.Nodes;

namespace PrivilegedAttribution.Benchmarks.Ratios;

/// <summary>What the report says about the machine: timings on a shared machine mean little without it.</summary>
public static class Machine
{
    /// <summary>"AMD EPYC (family 25, model 1; AVX2: avx2), 2 logical cores, Unix 6.1.0": the CPU's name, numbers and
    /// the vector instructions LibTorch's kernels pick from (<see cref="CpuDescription"/>), which change the measured
    /// times and ratios.</summary>
    public static string Describe() =>
        $"{CpuDescription.OfThisMachine()}, {Environment.ProcessorCount} logical cores, {Environment.OSVersion}";

    /// <summary>The widest vector instruction set of this CPU: "AVX-512", "AVX2", … (<see
    /// cref="CpuDescription.WidestIsa"/>).</summary>
    public static string Isa() => CpuDescription.OfThisMachine().WidestIsa;

    /// <summary>The machine as JSON: the CPU (<see cref="CpuDescription.ToJson"/>), logical cores, operating system
    /// and the load average now.</summary>
    public static JsonObject ToJson()
    {
        var json = CpuDescription.OfThisMachine().ToJson();
        json["logical_cores"] = Environment.ProcessorCount;
        json["os"] = Environment.OSVersion.ToString();
        json["load_average"] = LoadAverage();
        return json;
    }

    /// <summary>The 1-, 5- and 15-minute load averages, "1.23 0.98 0.50" (busy cores; above the core count, work
    /// is waiting).</summary>
    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
