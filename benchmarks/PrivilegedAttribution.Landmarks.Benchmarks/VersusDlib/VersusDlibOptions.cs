using System.Globalization;

namespace PrivilegedAttribution.Landmarks.Benchmarks.VersusDlib;

/// <summary>
/// The settings of <c>versus-dlib</c>:
/// <c>[--faces DIR] [--model FILE] [--dlib-tool PATH]… [--repeat N] [--rounds N] [--batch N] [--threads N]
/// [--loads N] [--output FILE]</c>.
/// </summary>
/// <param name="Faces">The face fixture folder (default artifacts/face-fixture).</param>
/// <param name="Model">The model file (default <see cref="ShapePredictor.ResolveModelPath"/>, the tests' model).
/// </param>
/// <param name="Tools">dlib's timing programs (default <see cref="DlibTool.Default"/>).</param>
/// <param name="Repeats">Timed passes over the faces, and timed batches, per round (default 20).</param>
/// <param name="Rounds">Rounds, each running every predictor once, the order reversed every other round (default 3).
/// </param>
/// <param name="BatchSize">Faces per batch (default 256).</param>
/// <param name="Threads">Threads of a batch (default all cores).</param>
/// <param name="Loads">Model loads per round (default 3).</param>
/// <param name="Output">A file for the Markdown report, or null.</param>
public sealed record VersusDlibOptions(
    string Faces,
    string Model,
    IReadOnlyList<DlibTool> Tools,
    int Repeats,
    int Rounds,
    int BatchSize,
    int Threads,
    int Loads,
    string? Output)
{
    /// <summary>Parses the arguments after the command word.</summary>
    /// <exception cref="ArgumentException">An unknown option, a missing value or a count that is not positive.
    /// </exception>
    public static VersusDlibOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var root = FixtureFaces.RepositoryRoot();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var tools = new List<DlibTool>();
        for (var i = 0; i < args.Count; i++)
        {
            if (i + 1 >= args.Count || !args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Expected '--option value' at '{args[i]}'.", nameof(args));
            }

            if (args[i] == "--dlib-tool")
            {
                tools.Add(new DlibTool(Path.GetFullPath(args[++i])));
            }
            else
            {
                values[args[i]] = args[++i];
            }
        }

        string[] known =
            ["--faces", "--model", "--repeat", "--rounds", "--batch", "--threads", "--loads", "--output"];
        if (values.Keys.FirstOrDefault(k => !known.Contains(k)) is { } unknown)
        {
            throw new ArgumentException($"Unknown option '{unknown}' (--dlib-tool, {string.Join(", ", known)}).",
                nameof(args));
        }

        int Count(string name, int fallback)
        {
            if (!values.TryGetValue(name, out var text))
            {
                return fallback;
            }

            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                ? n
                : throw new ArgumentException($"{name} must be a positive integer; got '{text}'.", nameof(args));
        }

        return new VersusDlibOptions(
            values.GetValueOrDefault("--faces") ?? Path.Combine(root, "artifacts", "face-fixture"),
            ShapePredictor.ResolveModelPath(values.GetValueOrDefault("--model")),
            tools.Count > 0 ? tools : DlibTool.Default(root),
            Count("--repeat", 20),
            Count("--rounds", 3),
            Count("--batch", 256),
            Count("--threads", Environment.ProcessorCount),
            Count("--loads", 3),
            values.GetValueOrDefault("--output"));
    }
}
