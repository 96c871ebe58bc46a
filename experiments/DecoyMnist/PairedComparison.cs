using System.Globalization;
using MathNet.Numerics.Distributions;

namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>
/// Two models compared over seeds where the models of a seed share what the seed controls (data split or subset,
/// initialisation, batch order): the per-seed differences a − b, their mean with a 95 % confidence interval, and a
/// two-sided paired t-test, t = mean / (s / √n) with n − 1 degrees of freedom, its p-value from MathNet.Numerics'
/// Student-t distribution. Pairing removes what the seed does to both models alike, so it is more sensitive than
/// comparing the two means.
/// </summary>
/// <param name="Difference">The per-seed differences a − b, summarised (mean, std, 95 % interval).</param>
/// <param name="T">The t statistic; ±∞ when every difference is the same non-zero number, 0 when all are zero,
/// NaN with fewer than two seeds.</param>
/// <param name="PValue">The two-sided p-value: how often a |t| this large would arise if the models did not differ
/// on average (the differences taken as normal); NaN with fewer than two seeds.</param>
public sealed record PairedComparison(MeanStd Difference, double T, double PValue)
{
    /// <summary>Compares <paramref name="a"/> with <paramref name="b"/>, element i of each from seed i.</summary>
    /// <exception cref="ArgumentException">The lists differ in length.</exception>
    public static PairedComparison Of(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count)
        {
            throw new ArgumentException($"Paired values come in pairs: {a.Count} values against {b.Count}.",
                nameof(b));
        }

        var difference = MeanStd.Of(a.Zip(b, (x, y) => x - y).ToList());
        var n = difference.Count;
        if (n < 2)
        {
            return new PairedComparison(difference, double.NaN, double.NaN);
        }

        if (difference.Std == 0)
        {
            // No spread: the differences are all one number, so they either all vanish or all agree in sign.
            return difference.Mean == 0
                ? new PairedComparison(difference, 0, 1)
                : new PairedComparison(difference, Math.CopySign(double.PositiveInfinity, difference.Mean), 0);
        }

        var t = difference.Mean / (difference.Std / Math.Sqrt(n));
        return new PairedComparison(difference, t, 2 * StudentT.CDF(0, 1, n - 1, -Math.Abs(t)));
    }

    /// <summary>How many seeds were paired.</summary>
    public int Count => Difference.Count;

    /// <summary>"0.004", "&lt; 0.001", or "–" without a test (one seed).</summary>
    public string FormatP() => PValue switch
    {
        double.NaN => "–",
        < 0.001 => "< 0.001",
        _ => PValue.ToString("F3", CultureInfo.InvariantCulture),
    };
}
