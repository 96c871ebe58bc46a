namespace PrivilegedAttribution.Benchmarks.Ratios;

/// <summary>What the report says about the machine: timings on a shared machine mean little without it.</summary>
public static class Machine
{
    /// <summary>"AMD EPYC (AVX2, no AVX-512), 2 logical cores, Unix 6.1.0": the CPU's name and the vector
    /// instructions LibTorch's kernels pick from, which change the measured times and ratios.</summary>
    public static string Describe() =>
        $"{CpuInfo("model name") ?? "unknown CPU"} ({Isa()}), {Environment.ProcessorCount} logical cores, " +
        $"{Environment.OSVersion}";

    /// <summary>"AVX-512" where /proc/cpuinfo lists avx512f, "AVX2, no AVX-512" where it lists avx2 only.</summary>
    public static string Isa()
    {
        var flags = CpuInfo("flags")?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        return flags.Contains("avx512f") ? "AVX-512 (avx512f)"
            : flags.Contains("avx2") ? "AVX2, no AVX-512"
            : flags.Length > 0 ? "neither AVX2 nor AVX-512"
            : "instruction set unknown";
    }

    // The value of the first line of /proc/cpuinfo called `key`, or null.
    private static string? CpuInfo(string key)
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo")
                .FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
        }
        catch (IOException)
        {
            return null;
        }
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
