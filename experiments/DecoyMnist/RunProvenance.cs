using System.Text.Json;

namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>
/// Where and how long merged runs were made, read from their own result files. A merged report (<c>--merge</c>)
/// prints the settings of the merge's command line, so the files are first checked to hold runs made with those
/// settings; the machine and the wall time it prints are the runs', not the merge's.
/// </summary>
/// <param name="Machine">The runs' machine descriptions, distinct ones joined by "; ".</param>
/// <param name="WallTime">The sum of the runs' wall times.</param>
public sealed record RunProvenance(string Machine, TimeSpan WallTime)
{
    /// <summary>Reads the "machine" and "wallTimeSeconds" of each file after asking <paramref name="mismatch"/>
    /// whether the file's settings differ from the ones the merged report will print.</summary>
    /// <param name="paths">The result files.</param>
    /// <param name="mismatch">Given a file's root element: null when its settings are the report's, else what
    /// differs, in words.</param>
    /// <exception cref="InvalidDataException">A file's runs were made with other settings (the message names the file
    /// and what differs).</exception>
    public static RunProvenance Read(IEnumerable<string> paths, Func<JsonElement, string?> mismatch)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(mismatch);
        var machines = new List<string>();
        var seconds = 0.0;
        foreach (var path in paths)
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var root = document.RootElement;
            if (mismatch(root) is { } difference)
            {
                throw new InvalidDataException(
                    $"{path}: {difference}. Give --merge the options the runs were made with.");
            }

            machines.Add(root.GetProperty("machine").GetString() ?? "unknown machine");
            seconds += root.GetProperty("wallTimeSeconds").GetDouble();
        }

        return new RunProvenance(string.Join("; ", machines.Distinct()), TimeSpan.FromSeconds(seconds));
    }

    /// <summary>"Machine: …. Wall time: … min, the sum of the merged runs.", as the reports print it.</summary>
    public string Describe() =>
        $"Machine: {Machine}. Wall time: " +
        FormattableString.Invariant($"{WallTime.TotalMinutes:F1} min, the sum of the merged runs.");
}
