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

    /// <summary>Orders names as a person reads them: <c>features.2</c> before <c>features.10</c>.</summary>
    internal static int CompareNatural(string? a, string? b)
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
