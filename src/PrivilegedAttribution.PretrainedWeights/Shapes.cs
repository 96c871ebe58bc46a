namespace PrivilegedAttribution;

/// <summary>Shape and dtype helpers shared by the readers, the comparison and the report.</summary>
internal static class Shapes
{
    /// <summary>PyTorch's way of writing a shape: <c>[64, 3, 7, 7]</c>, <c>[]</c> for a scalar.</summary>
    internal static string Format(IReadOnlyList<long> shape) => $"[{string.Join(", ", shape)}]";

    internal static bool Equal(IReadOnlyList<long> a, IReadOnlyList<long> b) => a.SequenceEqual(b);

    /// <summary>What a dtype holds: values of one kind convert into another dtype of the same kind when loaded
    /// (float16 into float32, int32 into int64); values of different kinds never do.</summary>
    internal static string Kind(ScalarType dtype) => dtype switch
    {
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64 => "floating-point",
        ScalarType.ComplexFloat32 or ScalarType.ComplexFloat64 => "complex",
        ScalarType.Bool => "boolean",
        _ => "integer",
    };

    /// <summary>Orders state dict names as PyTorch lists a module's entries where it can: modules as a person reads
    /// them (<c>features.2</c> before <c>features.10</c>), then within a module <c>weight</c>, <c>bias</c>,
    /// <c>running_mean</c>, <c>running_var</c>, <c>num_batches_tracked</c>, then other names.</summary>
    internal static readonly Comparer<string> EntryOrder = Comparer<string>.Create((a, b) =>
    {
        var order = CompareNatural(ModuleOf(a), ModuleOf(b));
        if (order != 0)
        {
            return order;
        }

        order = Rank(a).CompareTo(Rank(b));
        return order != 0 ? order : string.CompareOrdinal(a, b);
    });

    private static readonly string[] EntryNames =
        ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"];

    /// <summary>The module an entry belongs to: <c>layer1.0.bn1</c> for <c>layer1.0.bn1.running_mean</c>.</summary>
    internal static string ModuleOf(string entry) => entry.LastIndexOf('.') is var dot and >= 0 ? entry[..dot] : "";

    private static int Rank(string entry)
    {
        var index = Array.IndexOf(EntryNames, entry[(entry.LastIndexOf('.') + 1)..]);
        return index >= 0 ? index : EntryNames.Length;
    }

    /// <summary>Orders dotted names as a person reads them: <c>features.2</c> before <c>features.10</c>.</summary>
    private static int CompareNatural(string? a, string? b)
    {
        var left = (a ?? "").Split('.');
        var right = (b ?? "").Split('.');
        for (var i = 0; i < Math.Min(left.Length, right.Length); i++)
        {
            var bothNumbers = long.TryParse(left[i], out var x) & long.TryParse(right[i], out var y);
            var order = bothNumbers ? x.CompareTo(y) : string.CompareOrdinal(left[i], right[i]);
            if (order != 0)
            {
                return order;
            }
        }

        return left.Length.CompareTo(right.Length);
    }
}
