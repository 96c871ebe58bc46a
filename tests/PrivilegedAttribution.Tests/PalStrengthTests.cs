using TorchSharp;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Tests;

/// <summary>PAL's λ chosen on validation data: a PAL model only where it beats plain training by more than the noise
/// of the paired difference.</summary>
public sealed class PalStrengthTests
{
    /// <summary>Validation correctness of n examples: the plain model's, and a model that also gets
    /// <paramref name="gained"/> of the plain model's errors right and <paramref name="lost"/> of its successes wrong.
    /// </summary>
    private static bool[] Flags(bool[] plain, int gained, int lost)
    {
        var flags = (bool[])plain.Clone();
        for (int i = 0, g = 0, l = 0; i < flags.Length; i++)
        {
            if (!plain[i] && g < gained)
            {
                flags[i] = true;
                g++;
            }
            else if (plain[i] && l < lost)
            {
                flags[i] = false;
                l++;
            }
        }

        return flags;
    }

    private static bool[] Plain(int n, int right) => Enumerable.Range(0, n).Select(i => i < right).ToArray();

    private static Func<double, Tensor> From(Dictionary<double, bool[]> flags) => lambda => tensor(flags[lambda]);

    [Test]
    public void The_standard_error_is_that_of_the_paired_per_example_differences()
    {
        // Independent of the implementation: the differences d_i ∈ {−1, 0, 1} of random models, their sample
        // standard deviation over √n.
        var random = new Random(5);
        foreach (var n in new[] { 2, 3, 50, 999 })
        {
            var plain = Enumerable.Range(0, n).Select(_ => random.NextDouble() < 0.6).ToArray();
            var pal = Enumerable.Range(0, n).Select(_ => random.NextDouble() < 0.7).ToArray();
            var choice = PalStrength.Choose([0, 3], From(new() { [0] = plain, [3] = pal }));
            var d = pal.Zip(plain, (a, b) => (a ? 1.0 : 0) - (b ? 1 : 0)).ToArray();
            var mean = d.Average();
            var se = Math.Sqrt(d.Sum(x => (x - mean) * (x - mean)) / (n - 1) / n);
            var candidate = choice.Candidates[1];
            Assert.Multiple(() =>
            {
                Assert.That(candidate.DifferenceToPlain, Is.EqualTo(mean).Within(1e-15), $"n = {n}");
                Assert.That(candidate.StandardError, Is.EqualTo(se).Within(1e-15), $"n = {n}");
                Assert.That(candidate.Accuracy, Is.EqualTo(pal.Count(c => c) / (double)n).Within(1e-15));
                Assert.That(choice.Candidates[0].DifferenceToPlain, Is.Zero);
                Assert.That(candidate.Examples, Is.EqualTo(n));
            });
        }
    }

    [Test]
    public void A_PAL_model_is_chosen_only_when_its_advantage_exceeds_the_margin()
    {
        // 10 examples, plain right on 6; PAL gains 3 and loses 1: +0.2, SE √((4 − 0.4) / 9 / 10) = 0.2.
        var plain = Plain(10, 6);
        var flags = new Dictionary<double, bool[]> { [0] = plain, [3] = Flags(plain, 3, 1) };
        Assert.Multiple(() =>
        {
            var exact = PalStrength.Choose([0, 3], From(flags));
            Assert.That(exact.Candidates[1].DifferenceToPlain, Is.EqualTo(0.2).Within(1e-15));
            Assert.That(exact.Candidates[1].StandardError, Is.EqualTo(0.2).Within(1e-15));
            Assert.That(exact.Lambda, Is.Zero, "+0.2 is not more than one SE of 0.2");
            Assert.That(exact.Candidates[1].BeatsPlain, Is.False);
            Assert.That(PalStrength.Choose([0, 3], From(flags), margin: 0.99).Lambda, Is.EqualTo(3));
            Assert.That(PalStrength.Choose([0, 3], From(flags), margin: 0).Lambda, Is.EqualTo(3));
        });
    }

    [Test]
    public void Among_the_models_that_beat_plain_the_most_accurate_is_chosen_and_a_tie_goes_to_the_smaller_lambda()
    {
        var plain = Plain(400, 200);
        Assert.Multiple(() =>
        {
            // λ = 10 is the most accurate of those that beat plain.
            var best = PalStrength.Choose([10, 0, 1, 3], From(new()
            {
                [0] = plain, [1] = Flags(plain, 30, 0), [3] = Flags(plain, 40, 5), [10] = Flags(plain, 60, 10),
            }));
            Assert.That(best.Lambda, Is.EqualTo(10));
            Assert.That(best.Candidates.Select(c => c.Lambda), Is.EqualTo(new[] { 0.0, 1, 3, 10 }));
            // 1 and 3 tie at 230 right: the smaller λ.
            var tie = PalStrength.Choose([0, 1, 3, 10], From(new()
            {
                [0] = plain, [1] = Flags(plain, 30, 0), [3] = Flags(plain, 40, 10), [10] = Flags(plain, 5, 50),
            }));
            Assert.That(tie.Lambda, Is.EqualTo(1));
            // The most accurate model does not beat plain by the margin (many examples change both ways); a less
            // accurate but consistent one does.
            var noisy = PalStrength.Choose([0, 1, 3], From(new()
            {
                [0] = plain, [1] = Flags(plain, 10, 0), [3] = Flags(plain, 120, 105),
            }));
            Assert.That(noisy.Candidates[2].Accuracy, Is.GreaterThan(noisy.Candidates[1].Accuracy));
            Assert.That(noisy.Lambda, Is.EqualTo(1));
        });
    }

    [Test]
    public void When_no_PAL_model_beats_plain_training_the_choice_is_plain_training()
    {
        var plain = Plain(300, 200);
        var choice = PalStrength.Choose(PalStrength.DefaultCandidates, From(new()
        {
            [0] = plain, [1] = Flags(plain, 0, 0), [3] = Flags(plain, 5, 20), [10] = Flags(plain, 0, 80),
        }));
        Assert.Multiple(() =>
        {
            Assert.That(choice.Lambda, Is.Zero);
            Assert.That(choice.Candidates.Any(c => c.BeatsPlain), Is.False);
            Assert.That(choice.Margin, Is.EqualTo(PalStrength.DefaultMargin));
            Assert.That(choice.ToString(), Does.Contain("λ = 0").And.Contain("(plain)").And.Contain("-26.67"));
        });
    }

    [Test]
    public void Each_candidate_is_trained_once_in_ascending_order_and_its_flags_are_read_once_and_disposed()
    {
        var plain = Plain(50, 25);
        var calls = new List<double>();
        var returned = new List<Tensor>();
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var choice = PalStrength.Choose([3, 0, 1], lambda =>
        {
            calls.Add(lambda);
            var flags = tensor(Flags(plain, (int)(lambda * 5), 0));
            returned.Add(flags);
            return flags;
        });
        Assert.Multiple(() =>
        {
            Assert.That(calls, Is.EqualTo(new[] { 0.0, 1, 3 }));
            Assert.That(returned.All(t => t.IsInvalid), Is.True, "every returned tensor is disposed");
            Assert.That(DisposeScopeManager.Statistics.ThreadTotalLiveCount, Is.EqualTo(before));
            Assert.That(choice.Lambda, Is.EqualTo(3));
        });
    }

    [Test]
    public void Flags_on_any_device_are_read()
    {
        if (!cuda.is_available())
        {
            Assert.Ignore("No CUDA device on this machine.");
        }

        var plain = Plain(100, 50);
        var choice = PalStrength.Choose([0, 1], lambda =>
            tensor(lambda == 0 ? plain : Flags(plain, 30, 0), device: CUDA));
        Assert.That(choice.Lambda, Is.EqualTo(1));
    }

    [Test]
    public void Bad_candidates_or_margin_name_the_argument_and_what_was_wrong()
    {
        Tensor Never(double _) => throw new AssertionException("no model may be trained for bad arguments");
        Assert.Multiple(() =>
        {
            Assert.That(() => PalStrength.Choose([1, 3], Never),
                Throws.ArgumentException.With.Property("ParamName").EqualTo("candidates")
                    .And.Message.Contains("must include 0").And.Message.Contains("[1, 3]"));
            Assert.That(() => PalStrength.Choose([0, 3, 3], Never),
                Throws.ArgumentException.With.Message.Contains("distinct"));
            Assert.That(() => PalStrength.Choose([0, -1], Never),
                Throws.ArgumentException.With.Message.Contains("≥ 0").And.Message.Contains("-1"));
            Assert.That(() => PalStrength.Choose([0, double.NaN], Never),
                Throws.ArgumentException.With.Message.Contains("NaN"));
            Assert.That(() => PalStrength.Choose([0, double.PositiveInfinity], Never),
                Throws.ArgumentException.With.Property("ParamName").EqualTo("candidates"));
            Assert.That(() => PalStrength.Choose([0, 1], Never, margin: -1),
                Throws.ArgumentException.With.Property("ParamName").EqualTo("margin"));
            Assert.That(() => PalStrength.Choose([0, 1], Never, margin: double.NaN),
                Throws.ArgumentException.With.Property("ParamName").EqualTo("margin"));
            Assert.That(() => PalStrength.Choose(null!, Never), Throws.ArgumentNullException);
            Assert.That(() => PalStrength.Choose([0, 1], null!), Throws.ArgumentNullException);
        });
    }

    [Test]
    public void A_callback_that_returns_anything_but_the_same_examples_as_1D_bool_flags_is_refused_with_the_cause()
    {
        var plain = Plain(20, 10);
        var disposed = tensor(plain);
        disposed.Dispose();
        Assert.Multiple(() =>
        {
            Assert.That(() => PalStrength.Choose([0, 1], _ => null!),
                Throws.ArgumentException.With.Property("ParamName").EqualTo("correctOnValidation")
                    .And.Message.Contains("returned null for λ = 0"));
            Assert.That(() => PalStrength.Choose([0, 1], _ => tensor(plain).to(float32)),
                Throws.ArgumentException.With.Message.Contains("1-D bool").And.Message.Contains("Float32"));
            Assert.That(() => PalStrength.Choose([0, 1], _ => tensor(plain).reshape(4, 5)),
                Throws.ArgumentException.With.Message.Contains("[4, 5]"));
            Assert.That(() => PalStrength.Choose([0, 1], l => tensor(l == 0 ? plain : plain[..19])),
                Throws.ArgumentException.With.Message.Contains("for λ = 1 it returned 19, for λ = 0 20"));
            Assert.That(() => PalStrength.Choose([0, 1], _ => tensor(new[] { true })),
                Throws.ArgumentException.With.Message.Contains("at least 2"));
            Assert.That(() => PalStrength.Choose([0, 1], _ => disposed),
                Throws.ArgumentException.With.Message.Contains("disposed tensor for λ = 0"));
        });
    }
}
