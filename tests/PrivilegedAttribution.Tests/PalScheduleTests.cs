using TorchSharp;
using static TorchSharp.torch;
using static PrivilegedAttribution.Tests.Numerics;

namespace PrivilegedAttribution.Tests;

/// <summary>λ held for the first part of a run, then decayed linearly to 0 at its last step.</summary>
public sealed class PalScheduleTests
{
    [Test]
    public void The_factor_is_one_while_held_then_falls_by_equal_steps_to_zero_at_the_last_step()
    {
        // 10 steps, held for 4: steps 4..9 take 5/6, 4/6, …, 0.
        var factors = Enumerable.Range(0, 10).Select(s => PalSchedule.HoldThenDecay(s, 10, 0.4)).ToArray();
        var expected = new[] { 1, 1, 1, 1, 5 / 6.0, 4 / 6.0, 3 / 6.0, 2 / 6.0, 1 / 6.0, 0 };
        Assert.That(factors, Is.EqualTo(expected).Within(1e-15));
    }

    [Test]
    public void The_default_holds_half_of_the_run_and_the_ends_of_the_range_hold_nothing_or_everything()
    {
        Assert.Multiple(() =>
        {
            // 300 steps (the small-data protocol's): full λ for steps 0..149, then 149/150 … 0.
            Assert.That(PalSchedule.HoldThenDecay(149, 300), Is.EqualTo(1));
            Assert.That(PalSchedule.HoldThenDecay(150, 300), Is.EqualTo(149 / 150.0).Within(1e-15));
            Assert.That(PalSchedule.HoldThenDecay(299, 300), Is.EqualTo(0));
            // An odd total holds ⌊fraction · total⌋ steps.
            Assert.That(PalSchedule.HoldThenDecay(3, 7), Is.EqualTo(3 / 4.0).Within(1e-15));
            Assert.That(Enumerable.Range(0, 7).Select(s => PalSchedule.HoldThenDecay(s, 7, 0)),
                Is.EqualTo(new[] { 6 / 7.0, 5 / 7.0, 4 / 7.0, 3 / 7.0, 2 / 7.0, 1 / 7.0, 0 }).Within(1e-15));
            Assert.That(Enumerable.Range(0, 7).Select(s => PalSchedule.HoldThenDecay(s, 7, 1)), Is.All.EqualTo(1));
            Assert.That(PalSchedule.HoldThenDecay(0, 1), Is.EqualTo(0), "a one-step run decays at once");
        });
    }

    [Test]
    public void Over_any_run_the_factor_never_rises_and_stays_in_the_unit_interval()
    {
        foreach (var total in new[] { 1, 2, 3, 17, 300, 881 })
        {
            foreach (var fraction in new[] { 0.0, 0.1, 0.5, 0.73, 1.0 })
            {
                var factors = Enumerable.Range(0, total).Select(s => PalSchedule.HoldThenDecay(s, total, fraction))
                    .ToArray();
                Assert.That(factors, Is.All.InRange(0.0, 1.0), $"{total} steps, {fraction}");
                Assert.That(factors.Zip(factors.Skip(1)).All(p => p.Second <= p.First), Is.True,
                    $"{total} steps, {fraction}: not monotone");
                Assert.That(factors[^1], Is.EqualTo(fraction == 1 ? 1 : 0), $"{total} steps, {fraction}: last");
            }
        }
    }

    [Test]
    public void A_step_outside_the_run_or_a_bad_total_or_fraction_names_the_argument()
    {
        Assert.Multiple(() =>
        {
            var past = Assert.Throws<ArgumentOutOfRangeException>(() => PalSchedule.HoldThenDecay(300, 300))!;
            Assert.That(past.ParamName, Is.EqualTo("step"));
            Assert.That(past.Message, Does.Contain("[0, 300)"));
            Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => PalSchedule.HoldThenDecay(-1, 300))!
                .ParamName, Is.EqualTo("step"));
            Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => PalSchedule.HoldThenDecay(0, 0))!
                .ParamName, Is.EqualTo("totalSteps"));
            foreach (var fraction in new[] { -0.1, 1.5, double.NaN, double.PositiveInfinity })
            {
                Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() =>
                    PalSchedule.HoldThenDecay(0, 10, fraction))!.ParamName, Is.EqualTo("holdFraction"), $"{fraction}");
            }
        });
    }

    [Test]
    public void A_scheduled_loop_trains_with_the_scheduled_weights_and_the_criterion_alone_at_its_last_step()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.SmallCnn();
        model.eval();
        PalLayer[] layers = [new PalLayer("conv2", 0.3), new PalLayer("conv3", 0.9)];
        using var objective = new PalObjective(model, layers, new HeatmapPrior(8, 8, 1.5));
        var (x, labels, landmarks) = (randn(2, 1, 8, 8, ScalarType.Float64), tensor(new long[] { 0, 2 }),
            rand(2, 5, 2, ScalarType.Float64) * 8);
        const int totalSteps = 4;
        for (var step = 0; step < totalSteps; step++)
        {
            var factor = PalSchedule.HoldThenDecay(step, totalSteps);
            foreach (var layer in layers)
            {
                objective.SetWeight(layer.Name, layer.Weight * factor);
            }

            var output = objective.Compute(x, labels, landmarks);
            var expected = output.Criterion + 0.3 * factor * output.Terms[0].Loss +
                           0.9 * factor * output.Terms[1].Loss;
            Assert.That(Scalar(output.Total), Is.EqualTo(Scalar(expected)).Within(1e-12), $"step {step}");
            if (step == totalSteps - 1)
            {
                var parameters = model.parameters().Cast<Tensor>().ToList();
                var total = autograd.grad([output.Total], parameters, retain_graph: true);
                var criterion = autograd.grad([output.Criterion], parameters);
                for (var i = 0; i < parameters.Count; i++)
                {
                    AssertClose(total[i], criterion[i], 0, 1e-14, $"parameter {i}");
                }
            }
        }
    }
}
