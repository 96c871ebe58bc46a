namespace PrivilegedAttribution.Benchmarks;

/// <summary>The few command-line conventions of this program: a command word first, then <c>--name value</c>
/// options and <c>--flag</c>s; everything after the command that is not one of ours goes to BenchmarkDotNet.
/// </summary>
public sealed class Arguments
{
    private static readonly HashSet<string> Valued =
    [
        "--config", "--threads", "--output", "--layer", "--traces", "--model", "--batch", "--size", "--step",
        "--warmup", "--repeat", "--allocator", "--onednn",
        "--suites", "--steps-per-block", "--json", // ratios (RatioRequest)
    ];

    private static readonly HashSet<string> Flags = ["--no-pytorch", "--no-memory"];

    private readonly Dictionary<string, string> _values = new();
    private readonly HashSet<string> _flags = new();

    /// <summary>Parses <paramref name="args"/>.</summary>
    public Arguments(string[] args)
    {
        var rest = new List<string>();
        var start = 0;
        if (args.Length > 0 && !args[0].StartsWith('-'))
        {
            Command = args[0];
            start = 1;
        }

        for (var i = start; i < args.Length; i++)
        {
            if (Valued.Contains(args[i]) && i + 1 < args.Length)
            {
                _values[args[i]] = args[++i];
            }
            else if (Flags.Contains(args[i]))
            {
                _flags.Add(args[i]);
            }
            else
            {
                rest.Add(args[i]);
            }
        }

        Rest = rest.ToArray();
    }

    /// <summary>The command word, or null.</summary>
    public string? Command { get; }

    /// <summary>Arguments that are not ours (for BenchmarkDotNet).</summary>
    public string[] Rest { get; }

    /// <summary>The value of option <paramref name="name"/>, or null.</summary>
    public string? Value(string name) => _values.GetValueOrDefault(name);

    /// <summary>Whether flag <paramref name="name"/> was given.</summary>
    public bool Flag(string name) => _flags.Contains(name);
}
