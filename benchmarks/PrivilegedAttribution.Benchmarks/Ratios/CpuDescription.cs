using System.Text.Json.Nodes;

namespace PrivilegedAttribution.Benchmarks.Ratios;

/// <summary>
/// The CPU a measurement ran on, as /proc/cpuinfo names it: its model name, family and model numbers (which tell
/// apart CPUs that share a marketing name, e.g. "AMD EPYC" family 25 and 26) and the widest of the vector
/// instruction sets that LibTorch's and oneDNN's kernels choose from. Times and ratios move with these, so every
/// benchmark report and the Decoy MNIST experiment's reports name them.
/// </summary>
/// <param name="ModelName">"AMD EPYC", or "unknown CPU" where /proc/cpuinfo is missing.</param>
/// <param name="Family">The "cpu family" number, or null.</param>
/// <param name="Model">The "model" number, or null.</param>
/// <param name="VectorFlags">Which of <see cref="KnownVectorFlags"/> the CPU lists, in that order.</param>
/// <param name="FlagsKnown">Whether /proc/cpuinfo listed flags at all (else none can be said missing).</param>
public sealed record CpuDescription(
    string ModelName,
    string? Family,
    string? Model,
    IReadOnlyList<string> VectorFlags,
    bool FlagsKnown)
{
    /// <summary>The flags looked for, narrowest first: AVX2, AVX-512 foundation, AVX-512 bfloat16, and AMX's tile,
    /// bfloat16 and int8 parts (oneDNN's <c>avx2</c>, <c>avx512_core</c>, <c>avx512_core_bf16</c>,
    /// <c>avx512_core_amx</c> kernels).</summary>
    public static readonly IReadOnlyList<string> KnownVectorFlags =
        ["avx2", "avx512f", "avx512_bf16", "amx_tile", "amx_bf16", "amx_int8"];

    /// <summary>The widest instruction set the CPU offers among <see cref="KnownVectorFlags"/>: "AMX", "AVX-512 BF16",
    /// "AVX-512", "AVX2", "below AVX2", or "unknown" when no flags were readable.</summary>
    public string WidestIsa => VectorFlags.Any(f => f.StartsWith("amx", StringComparison.Ordinal)) ? "AMX"
        : VectorFlags.Contains("avx512_bf16") ? "AVX-512 BF16"
        : VectorFlags.Contains("avx512f") ? "AVX-512"
        : VectorFlags.Contains("avx2") ? "AVX2"
        : FlagsKnown ? "below AVX2"
        : "unknown";

    /// <summary>This machine's CPU, from /proc/cpuinfo (first processor).</summary>
    public static CpuDescription OfThisMachine()
    {
        try
        {
            return Parse(File.ReadLines("/proc/cpuinfo"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Parse([]);
        }
    }

    /// <summary>Reads the first processor's entry of /proc/cpuinfo-formatted <paramref name="lines"/> ("key\t: value").
    /// </summary>
    public static CpuDescription Parse(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            if (line.Trim().Length == 0 && values.Count > 0)
            {
                break; // The end of the first processor's entry: the others repeat it.
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                values.TryAdd(line[..colon].Trim(), line[(colon + 1)..].Trim());
            }
        }

        var flags = values.TryGetValue("flags", out var flagText)
            ? flagText.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal)
            : null;
        return new CpuDescription(values.GetValueOrDefault("model name") ?? "unknown CPU",
            values.GetValueOrDefault("cpu family"), values.GetValueOrDefault("model"),
            flags is null ? [] : KnownVectorFlags.Where(flags.Contains).ToArray(), flags is not null);
    }

    /// <summary>"AMD EPYC (family 25, model 1; AVX2: avx2)", as report headers print it.</summary>
    public override string ToString()
    {
        var numbers = Family is null ? "" : $"family {Family}, model {Model ?? "?"}; ";
        var flags = VectorFlags.Count == 0 ? "" : $": {string.Join(' ', VectorFlags)}";
        return $"{ModelName} ({numbers}{WidestIsa}{flags})";
    }

    /// <summary>The same as JSON: model_name, family, model, widest_isa, vector_flags.</summary>
    public JsonObject ToJson() => new()
    {
        ["model_name"] = ModelName,
        ["family"] = Family,
        ["model"] = Model,
        ["widest_isa"] = WidestIsa,
        ["vector_flags"] = new JsonArray(VectorFlags.Select(f => JsonValue.Create(f)).ToArray<JsonNode?>()),
    };
}
