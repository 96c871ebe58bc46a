using TorchSharp;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Tests;

/// <summary>Helpers for numeric assertions and central differences.</summary>
internal static class Numerics
{
    internal static double[] Values(Tensor t) =>
        t.detach().to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();

    internal static double Scalar(Tensor t) => t.detach().to(ScalarType.Float64).cpu().item<double>();

    /// <summary>max |a − b| / (atol + rtol·|b|) ≤ 1 elementwise, with a message naming the worst element.</summary>
    internal static void AssertClose(Tensor actual, Tensor expected, double rtol, double atol, string what)
    {
        Assert.That(actual.shape, Is.EqualTo(expected.shape), $"{what}: shape");
        AssertClose(Values(actual), Values(expected), rtol, atol, what);
    }

    internal static void AssertClose(double[] actual, double[] expected, double rtol, double atol, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), $"{what}: length");
        var worst = -1;
        var worstRatio = 0.0;
        for (var i = 0; i < actual.Length; i++)
        {
            Assert.That(double.IsFinite(actual[i]), Is.True, $"{what}: element {i} is {actual[i]}");
            var ratio = Math.Abs(actual[i] - expected[i]) / (atol + rtol * Math.Abs(expected[i]));
            if (ratio > worstRatio)
            {
                (worst, worstRatio) = (i, ratio);
            }
        }

        Assert.That(worstRatio, Is.LessThanOrEqualTo(1.0),
            $"{what}: element {worst} is {(worst >= 0 ? actual[worst] : 0)}, expected " +
            $"{(worst >= 0 ? expected[worst] : 0)} (rtol {rtol}, atol {atol})");
    }

    /// <summary>Relative error ‖a − b‖ / ‖b‖ of two vectors.</summary>
    internal static double RelativeError(double[] actual, double[] expected)
    {
        double diff = 0, norm = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            diff += (actual[i] - expected[i]) * (actual[i] - expected[i]);
            norm += expected[i] * expected[i];
        }

        return Math.Sqrt(diff) / Math.Max(Math.Sqrt(norm), 1e-300);
    }

    /// <summary>Central differences of <paramref name="f"/> with respect to chosen elements of
    /// <paramref name="parameter"/>, perturbed in place.</summary>
    /// <remarks>PAL's gradient factor G jumps wherever a ReLU or max-pool switches, so CE + λ·PAL is only piecewise
    /// smooth: a step that carries some unit across its switch measures the jump, not the slope (with h = 1e-6, one
    /// of three seeds tried put a VGG unit within reach; h = 1e-5 failed more). h = 1e-7 makes that ten times rarer
    /// than 1e-6, while float64 rounding, about 1e-16·|f|/h ≈ 1e-9, stays far below the tolerances.</remarks>
    internal static double[] CentralDifferences(Func<double> f, Tensor parameter, IReadOnlyList<long> elements,
        double h = 1e-7)
    {
        var result = new double[elements.Count];
        using var flat = parameter.detach().view(-1);
        for (var i = 0; i < elements.Count; i++)
        {
            using var element = flat[elements[i]];
            var original = element.item<double>();
            using (no_grad())
            {
                element.fill_(original + h);
            }

            var plus = f();
            using (no_grad())
            {
                element.fill_(original - h);
            }

            var minus = f();
            using (no_grad())
            {
                element.fill_(original);
            }

            result[i] = (plus - minus) / (2 * h);
        }

        return result;
    }

    /// <summary>Up to <paramref name="count"/> distinct flat indices into a tensor of <paramref name="size"/>
    /// elements, spread deterministically.</summary>
    internal static long[] Sample(long size, int count, int seed)
    {
        if (size <= count)
        {
            return Enumerable.Range(0, (int)size).Select(i => (long)i).ToArray();
        }

        var random = new Random(seed);
        return Enumerable.Range(0, count * 4).Select(_ => random.NextInt64(size)).Distinct().Take(count).ToArray();
    }
}
