namespace PrivilegedAttribution.Benchmarks.Ratios;

/// <summary>Order statistics of small samples (linear interpolation between order statistics, as numpy's default).
/// </summary>
public static class Statistics
{
    /// <summary>The median.</summary>
    public static double Median(IReadOnlyCollection<double> values) => Quantile(values, 0.5);

    /// <summary>The <paramref name="q"/>-quantile, q in [0, 1].</summary>
    public static double Quantile(IReadOnlyCollection<double> values, double q)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.OrderBy(v => v).ToArray();
        var position = q * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + (position - low) * (sorted[high] - sorted[low]);
    }
}
