using MathNet.Numerics.Statistics;

namespace PrivilegedAttribution.Benchmarks.Ratios;

/// <summary>The reports' medians and quartiles.</summary>
internal static class Quartiles
{
    /// <summary>The q-quantile with linear interpolation between order statistics (R's type 7, numpy's default), as
    /// the reports have always given their quartiles (MathNet's own <c>Statistics.Quantile</c> is type 8).</summary>
    public static double Of(IEnumerable<double> values, double q) =>
        Statistics.QuantileCustom(values, q, QuantileDefinition.R7);
}
