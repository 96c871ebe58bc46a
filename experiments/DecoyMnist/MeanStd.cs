using System.Globalization;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.Statistics;

namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>
/// Mean, sample standard deviation and the 95 % confidence interval of the mean of a few values (one per seed),
/// computed with MathNet.Numerics: the interval is Student's t with n − 1 degrees of freedom, mean ± t(0.975, n − 1) ·
/// s / √n, which is what a handful of seeds allows (with 5 seeds t = 2.78, so the interval is 1.24 standard
/// deviations wide on each side).
/// </summary>
/// <param name="Mean">The mean (NaN without values).</param>
/// <param name="Std">The sample standard deviation (n − 1 in the denominator); 0 for one value, NaN for none.</param>
/// <param name="Count">How many values.</param>
public readonly record struct MeanStd(double Mean, double Std, int Count)
{
    /// <summary>The two-sided confidence level of <see cref="Ci95Low"/> and <see cref="Ci95High"/>.</summary>
    public const double ConfidenceLevel = 0.95;

    /// <summary>Summarises <paramref name="values"/>.</summary>
    public static MeanStd Of(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return values.Count switch
        {
            0 => new MeanStd(double.NaN, double.NaN, 0),
            // One value has no spread to estimate; 0 keeps a one-seed table readable ("± 0.00").
            1 => new MeanStd(values[0], 0, 1),
            _ => FromMeanAndStd(values.MeanStandardDeviation(), values.Count),
        };
    }

    /// <summary>Half the width of the 95 % confidence interval of the mean, t(0.975, n − 1) · s / √n; NaN with fewer
    /// than two values (no interval can be given).</summary>
    public double Ci95HalfWidth =>
        Count < 2 ? double.NaN : StudentQuantile(Count - 1) * Std / Math.Sqrt(Count);

    /// <summary>The lower end of the 95 % confidence interval of the mean (NaN with fewer than two values).</summary>
    public double Ci95Low => Mean - Ci95HalfWidth;

    /// <summary>The upper end of the 95 % confidence interval of the mean (NaN with fewer than two values).</summary>
    public double Ci95High => Mean + Ci95HalfWidth;

    /// <summary>The t value that multiplies the standard error for a two-sided 95 % interval with
    /// <paramref name="degreesOfFreedom"/> degrees of freedom (12.71 for 1, 2.78 for 4, 1.96 in the limit).</summary>
    public static double StudentQuantile(int degreesOfFreedom) =>
        StudentT.InvCDF(0, 1, degreesOfFreedom, 1 - (1 - ConfidenceLevel) / 2);

    /// <summary>"97.31 ± 0.22": mean ± standard deviation.</summary>
    public string Format(string format = "F2") =>
        Mean.ToString(format, CultureInfo.InvariantCulture) + " ± " +
        Std.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>"97.31 ± 0.27": mean ± the 95 % confidence interval's half-width; the mean alone when there is no
    /// interval (one seed). <paramref name="signed"/> writes a + before positive means (differences).</summary>
    public string FormatCi(string format = "F2", bool signed = false)
    {
        var mean = (signed && Mean > 0 ? "+" : "") + Mean.ToString(format, CultureInfo.InvariantCulture);
        return double.IsNaN(Ci95HalfWidth)
            ? mean
            : mean + " ± " + Ci95HalfWidth.ToString(format, CultureInfo.InvariantCulture);
    }

    private static MeanStd FromMeanAndStd((double Mean, double StandardDeviation) summary, int count) =>
        new(summary.Mean, summary.StandardDeviation, count);
}
