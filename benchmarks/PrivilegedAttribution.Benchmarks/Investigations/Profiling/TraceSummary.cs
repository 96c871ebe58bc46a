using System.Globalization;
using System.Text;
using System.Text.Json;

namespace PrivilegedAttribution.Benchmarks.Investigations.Profiling;

/// <summary>
/// Per-name totals of a LibTorch trace (a JSON array of complete events with name, ts, dur and tid, in µs), per
/// step: self time (the event's duration minus that of the events nested in it, so that nothing is counted
/// twice) and inclusive time (used for autograd functions, e.g. <c>NativeBatchNormBackwardBackward0</c>, whose
/// cost is the operators they call), and call counts.
/// </summary>
public sealed class TraceSummary
{
    private TraceSummary(Dictionary<string, (double Self, double Inclusive, int Calls)> byName, int steps)
    {
        ByName = byName;
        Steps = steps;
    }

    /// <summary>ms per step: self, inclusive, calls per step.</summary>
    public IReadOnlyDictionary<string, (double Self, double Inclusive, int Calls)> ByName { get; }

    /// <summary>Steps the trace covers.</summary>
    public int Steps { get; }

    /// <summary>Reads a trace that covers <paramref name="steps"/> steps.</summary>
    public static TraceSummary Read(string path, int steps)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var events = document.RootElement.EnumerateArray()
            .Select(e => (Name: e.GetProperty("name").GetString() ?? "", Start: e.GetProperty("ts").GetDouble(),
                Duration: e.GetProperty("dur").GetDouble(), Thread: e.GetProperty("tid").ToString()))
            .ToList();
        var totals = new Dictionary<string, (double Self, double Inclusive, int Calls)>();
        foreach (var thread in events.GroupBy(e => e.Thread))
        {
            // Parents start no later and last no shorter than their children: sort so that they come first.
            var ordered = thread.OrderBy(e => e.Start).ThenByDescending(e => e.Duration).ToList();
            var self = ordered.Select(e => e.Duration).ToArray();
            var open = new Stack<int>();
            for (var i = 0; i < ordered.Count; i++)
            {
                while (open.Count > 0 && ordered[open.Peek()].Start + ordered[open.Peek()].Duration <= ordered[i].Start)
                {
                    open.Pop();
                }

                if (open.Count > 0)
                {
                    self[open.Peek()] -= ordered[i].Duration;
                }

                open.Push(i);
            }

            for (var i = 0; i < ordered.Count; i++)
            {
                var name = ordered[i].Name;
                var (s, inclusive, calls) = totals.GetValueOrDefault(name);
                totals[name] = (s + self[i], inclusive + ordered[i].Duration, calls + 1);
            }
        }

        var perStep = totals.ToDictionary(t => t.Key,
            t => (t.Value.Self / 1000.0 / steps, t.Value.Inclusive / 1000.0 / steps, t.Value.Calls / steps));
        return new TraceSummary(perStep, steps);
    }

    /// <summary>Markdown: the operators whose self time differs most between the two steps, and the autograd
    /// functions (inclusive) that only the second step runs or runs more.</summary>
    public static string Compare(TraceSummary first, TraceSummary second, string firstName, string secondName,
        int rows)
    {
        var text = new StringBuilder();
        var firstTotal = first.ByName.Values.Sum(v => v.Self);
        var secondTotal = second.ByName.Values.Sum(v => v.Self);
        text.AppendLine(CultureInfo.InvariantCulture,
            $"LibTorch operator profile, ms per step (self time; total {firstTotal:F1} {firstName}, " +
            $"{secondTotal:F1} {secondName}). Largest differences:");
        text.AppendLine();
        text.AppendLine($"| Operator | {firstName} ms (calls) | {secondName} ms (calls) | Extra ms |");
        text.AppendLine("|---|---|---|---|");
        var names = first.ByName.Keys.Union(second.ByName.Keys);
        foreach (var name in names.OrderByDescending(n => Math.Abs(Self(second, n) - Self(first, n))).Take(rows))
        {
            var a = first.ByName.GetValueOrDefault(name);
            var b = second.ByName.GetValueOrDefault(name);
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| `{name}` | {a.Self:F1} ({a.Calls}) | {b.Self:F1} ({b.Calls}) | {b.Self - a.Self:+0.0;-0.0} |");
        }

        text.AppendLine();
        text.AppendLine("Autograd functions, inclusive ms per step (what each backward node costs with the operators " +
                        "it calls):");
        text.AppendLine();
        text.AppendLine($"| Autograd function | {firstName} ms (calls) | {secondName} ms (calls) | Extra ms |");
        text.AppendLine("|---|---|---|---|");
        var functions = names.Where(n => n.EndsWith("Backward0", StringComparison.Ordinal) ||
                                         n.EndsWith("Backward1", StringComparison.Ordinal))
            .Where(n => !n.StartsWith("autograd::engine", StringComparison.Ordinal));
        foreach (var name in functions.OrderByDescending(n => Inclusive(second, n) - Inclusive(first, n)).Take(rows))
        {
            var a = first.ByName.GetValueOrDefault(name);
            var b = second.ByName.GetValueOrDefault(name);
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| `{name}` | {a.Inclusive:F1} ({a.Calls}) | {b.Inclusive:F1} ({b.Calls}) | " +
                $"{b.Inclusive - a.Inclusive:+0.0;-0.0} |");
        }

        return text.ToString();
    }

    private static double Self(TraceSummary summary, string name) => summary.ByName.GetValueOrDefault(name).Self;

    private static double Inclusive(TraceSummary summary, string name) =>
        summary.ByName.GetValueOrDefault(name).Inclusive;
}
