using CsCheck;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Tests.PropertyTests;

/// <summary><see cref="PalStrength.Choose"/> over generated validation flags: the choice follows its rule, does not
/// depend on the order of the candidates or of the examples, and a larger margin never admits more candidates.
/// </summary>
public sealed class PalStrengthProperties
{
    private static readonly double[] Lambdas = [0.3, 1, 3, 10, 30];

    [Test]
    public void The_choice_follows_the_rule_whatever_the_order_of_candidates_or_examples()
    {
        var gen =
            from examples in Gen.Int[2, 60]
            from pal in Gen.Int[1, 4]
            from margin in Gen.Double[0, 3]
            from seed in GeneratedCases.Seed
            select (examples, pal, margin, seed);
        GeneratedCases.Check(gen, c =>
        {
            var random = new Random((int)c.seed);
            var candidates = Lambdas.OrderBy(_ => random.Next()).Take(c.pal).Prepend(0).ToList();
            // Models that are right on 30 to 90 % of the examples, each independently of the others.
            var flags = candidates.ToDictionary(l => l, _ =>
            {
                var rate = 0.3 + 0.6 * random.NextDouble();
                return Enumerable.Range(0, c.examples).Select(_ => random.NextDouble() < rate).ToArray();
            });
            PalStrengthChoice Choose(IReadOnlyList<double> order, Func<bool[], bool[]> examplesOrder, double margin) =>
                PalStrength.Choose(order, l => tensor(examplesOrder(flags[l])), margin);

            var choice = Choose(candidates, f => f, c.margin);
            var beating = choice.Candidates.Where(x => x.BeatsPlain).ToList();
            var expected = beating.Count == 0
                ? 0
                : beating.OrderByDescending(x => x.Accuracy).ThenBy(x => x.Lambda).First().Lambda;
            Assert.That(choice.Lambda, Is.EqualTo(expected), $"the rule ({c})");
            foreach (var candidate in choice.Candidates.Skip(1))
            {
                Assert.That(candidate.BeatsPlain, Is.EqualTo(candidate.DifferenceToPlain > 0 &&
                    candidate.DifferenceToPlain > c.margin * candidate.StandardError), $"λ = {candidate.Lambda} ({c})");
            }

            var reversed = Choose(candidates.AsEnumerable().Reverse().ToList(), f => f, c.margin);
            Assert.That(reversed, Is.EqualTo(choice).Using<PalStrengthChoice>(Same), $"candidates reversed ({c})");
            var permutation = Enumerable.Range(0, c.examples).OrderBy(_ => random.Next()).ToArray();
            var permuted = Choose(candidates, f => permutation.Select(i => f[i]).ToArray(), c.margin);
            Assert.That(permuted, Is.EqualTo(choice).Using<PalStrengthChoice>(Same), $"examples permuted ({c})");

            var stricter = Choose(candidates, f => f, c.margin + 0.5);
            Assert.That(stricter.Candidates.Where(x => x.BeatsPlain).Select(x => x.Lambda),
                Is.SubsetOf(beating.Select(x => x.Lambda)), $"a larger margin admitted more ({c})");
        }, stream: 11);
    }

    // The same choice and the same figures (the standard error to rounding: the sums run in another order).
    private static bool Same(PalStrengthChoice a, PalStrengthChoice b) =>
        a.Lambda == b.Lambda && a.Candidates.Count == b.Candidates.Count && a.Candidates.Zip(b.Candidates).All(p =>
            p.First.Lambda == p.Second.Lambda && p.First.Accuracy == p.Second.Accuracy &&
            p.First.DifferenceToPlain == p.Second.DifferenceToPlain && p.First.BeatsPlain == p.Second.BeatsPlain &&
            Math.Abs(p.First.StandardError - p.Second.StandardError) <= 1e-15);
}
