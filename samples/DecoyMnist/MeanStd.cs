namespace PrivilegedAttribution.Samples.DecoyMnist;

/// <summary>Mean and sample standard deviation of a list of values.</summary>
public readonly record struct MeanStd(double Mean, double Std, int Count)
{
    /// <summary>Summarises <paramref name="values"/>.</summary>
    public static MeanStd Of(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return new MeanStd(double.NaN, double.NaN, 0);
        }

        var mean = values.Average();
        var std = values.Count < 2 ? 0 : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        return new MeanStd(mean, std, values.Count);
    }

    /// <summary>"97.31 ± 0.22".</summary>
    public string Format(string format = "F2") =>
        Mean.ToString(format, System.Globalization.CultureInfo.InvariantCulture) + " ± " +
        Std.ToString(format, System.Globalization.CultureInfo.InvariantCulture);
}
