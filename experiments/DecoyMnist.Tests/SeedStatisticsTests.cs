using PrivilegedAttribution.Experiments.DecoyMnist;

namespace PrivilegedAttribution.Experiments.DecoyMnist.Tests;

/// <summary>The Decoy MNIST tables' statistics over seeds: the 95 % Student-t interval of a mean and the paired
/// t-test, checked against tabulated t quantiles and against the closed forms of Student's t with one and two degrees
/// of freedom (Cauchy: F(t) = ½ + atan(t)/π; two: F(t) = ½ + t / (2√(2 + t²))).</summary>
[TestFixture]
public sealed class SeedStatisticsTests
{
    [TestCase(1, 12.706204736174698)]
    [TestCase(4, 2.7764451051977987)]
    [TestCase(9, 2.2621571627409915)]
    [TestCase(1000, 1.9623390808264074)]
    public void TheIntervalUsesStudentsTQuantile(int degreesOfFreedom, double tabulated) =>
        Assert.That(MeanStd.StudentQuantile(degreesOfFreedom), Is.EqualTo(tabulated).Within(1e-9));

    [Test]
    public void FiveSeedsGiveTheKnownInterval()
    {
        // 1…5: mean 3, s = √2.5, standard error √0.5; t(0.975, 4) · √0.5 = 1.963243…
        var summary = MeanStd.Of([1, 2, 3, 4, 5]);

        Assert.That(summary.Mean, Is.EqualTo(3).Within(1e-12));
        Assert.That(summary.Std, Is.EqualTo(Math.Sqrt(2.5)).Within(1e-12));
        Assert.That(summary.Ci95HalfWidth, Is.EqualTo(2.7764451051977987 * Math.Sqrt(0.5)).Within(1e-9));
        Assert.That((summary.Ci95Low, summary.Ci95High), Is.EqualTo((1.0367568, 4.9632432)).Within(1e-6));
        Assert.That(summary.FormatCi(), Is.EqualTo("3.00 ± 1.96"));
        Assert.That(summary.Format(), Is.EqualTo("3.00 ± 1.58"), "Format stays mean ± standard deviation");
    }

    [Test]
    public void TwoSeedsGiveAWideInterval()
    {
        // 1 degree of freedom: t = 12.71, so two seeds 1 apart give ± 6.35.
        var summary = MeanStd.Of([90, 91]);

        Assert.That(summary.Ci95HalfWidth, Is.EqualTo(12.706204736174698 * Math.Sqrt(0.5) / Math.Sqrt(2)).Within(1e-9));
    }

    [Test]
    public void OneSeedHasNoInterval()
    {
        var summary = MeanStd.Of([97.3]);

        Assert.That((summary.Mean, summary.Std, summary.Count), Is.EqualTo((97.3, 0.0, 1)));
        Assert.That(summary.Ci95HalfWidth, Is.NaN);
        Assert.That(summary.FormatCi(), Is.EqualTo("97.30"));
        Assert.That(MeanStd.Of([]).Mean, Is.NaN);
    }

    [Test]
    public void SignedFormatMarksGains() =>
        Assert.That((MeanStd.Of([1, 3]).FormatCi(signed: true), MeanStd.Of([-1, -3]).FormatCi(signed: true)),
            Is.EqualTo(("+2.00 ± 12.71", "-2.00 ± 12.71")));

    [Test]
    public void PairedTestWithTwoSeedsMatchesTheCauchyDistribution()
    {
        // Differences 1 and 3: mean 2, s = √2, t = 2 / (√2 / √2) = 2; p = 1 − 2·atan(2)/π.
        var comparison = PairedComparison.Of([11, 23], [10, 20]);

        Assert.That(comparison.T, Is.EqualTo(2).Within(1e-12));
        Assert.That(comparison.PValue, Is.EqualTo(1 - 2 * Math.Atan(2) / Math.PI).Within(1e-9));
        Assert.That(comparison.Count, Is.EqualTo(2));
    }

    [Test]
    public void PairedTestWithThreeSeedsMatchesTheClosedForm()
    {
        // Differences 1, 2, 6: mean 3, s = √7, t = 3 / (√7 / √3); with 2 degrees of freedom p = 1 − |t| / √(2 + t²).
        var comparison = PairedComparison.Of([51, 62, 76], [50, 60, 70]);
        var t = 3 / (Math.Sqrt(7) / Math.Sqrt(3));

        Assert.That(comparison.T, Is.EqualTo(t).Within(1e-12));
        Assert.That(comparison.PValue, Is.EqualTo(1 - t / Math.Sqrt(2 + t * t)).Within(1e-9));
        Assert.That(comparison.Difference.Mean, Is.EqualTo(3).Within(1e-12));
    }

    [Test]
    public void PairingRemovesWhatTheSeedDoesToBothModels()
    {
        // The seeds move both models by up to 10 points; the second is always about 1 point better.
        double[] first = [80, 90, 85, 75, 88];
        double[] second = [81.1, 90.9, 86.0, 76.2, 88.8];

        var paired = PairedComparison.Of(second, first);

        Assert.That(paired.PValue, Is.LessThan(0.001));
        Assert.That(paired.Difference.Ci95Low, Is.GreaterThan(0));
        Assert.That(MeanStd.Of(second).Ci95Low, Is.LessThan(MeanStd.Of(first).Mean),
            "the unpaired intervals overlap: only the pairing shows the difference");
    }

    [Test]
    public void IdenticalModelsGiveNoEvidenceOfADifference()
    {
        var comparison = PairedComparison.Of([90, 91, 92], [90, 91, 92]);

        Assert.That((comparison.T, comparison.PValue), Is.EqualTo((0.0, 1.0)));
        Assert.That(comparison.FormatP(), Is.EqualTo("1.000"));
    }

    [Test]
    public void OneSeedGivesNoTest()
    {
        var comparison = PairedComparison.Of([90], [80]);

        Assert.That(comparison.PValue, Is.NaN);
        Assert.That(comparison.FormatP(), Is.EqualTo("–"));
    }

    [Test]
    public void UnpairedListsAreRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => PairedComparison.Of([1, 2], [1]));
        Assert.That(error.ParamName, Is.EqualTo("b"));
    }

    [Test]
    public void SmallPValuesAreShownAsABound() =>
        Assert.That(PairedComparison.Of([10, 20.1, 30.2, 40], [0, 10, 20, 30]).FormatP(), Is.EqualTo("< 0.001"));
}
