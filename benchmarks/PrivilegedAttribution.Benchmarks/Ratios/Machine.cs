namespace PrivilegedAttribution.Benchmarks.Ratios;

/// <summary>What the report says about the machine: timings on a shared machine mean little without it.</summary>
public static class Machine
{
    /// <summary>"AMD EPYC, 2 logical cores".</summary>
    public static string Describe()
    {
        var model = "unknown CPU";
        try
        {
            model = File.ReadLines("/proc/cpuinfo")
                .FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))
                ?.Split(':', 2)[1].Trim() ?? model;
        }
        catch (IOException)
        {
        }

        return $"{model}, {Environment.ProcessorCount} logical cores, {Environment.OSVersion}";
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
