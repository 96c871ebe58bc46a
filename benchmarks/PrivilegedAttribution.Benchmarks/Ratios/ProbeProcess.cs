using System.Diagnostics;
using System.Text.Json.Nodes;

namespace PrivilegedAttribution.Benchmarks.Ratios;

/// <summary>Runs a measurement in a fresh process and reads the one JSON line it prints last. A fresh process per
/// measurement keeps the peak-memory readings free of what earlier work left in the allocator.</summary>
public static class ProbeProcess
{
    /// <summary>Runs <paramref name="file"/> with <paramref name="arguments"/> and parses its last stdout line.
    /// </summary>
    public static JsonNode Run(string file, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start.");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .LastOrDefault(l => l.StartsWith('{'));
        if (process.ExitCode != 0 || last is null)
        {
            throw new InvalidOperationException(
                $"The probe '{file} {string.Join(' ', arguments)}' failed (exit {process.ExitCode}): {output}");
        }

        return JsonNode.Parse(last)!;
    }

    /// <summary>The command that starts this benchmark program again (apphost, or dotnet and the assembly).</summary>
    public static (string File, string[] Prefix) Self()
    {
        var host = Environment.ProcessPath ?? "dotnet";
        var assembly = typeof(ProbeProcess).Assembly.Location;
        return Path.GetFileNameWithoutExtension(host) == "dotnet" ? (host, [assembly]) : (host, []);
    }
}
