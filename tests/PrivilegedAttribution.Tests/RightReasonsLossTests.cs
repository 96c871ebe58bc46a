using TorchSharp;
using static TorchSharp.torch;
using static PrivilegedAttribution.Tests.Numerics;

namespace PrivilegedAttribution.Tests;

public sealed class RightReasonsLossTests
{
    // Two samples, one channel of 2×2. Sample 0: attribution [1, −2; 3, 0.5], mask [1, 0; 1, 0] → 1 + 9 = 10.
    // Sample 1: attribution [2, 2; 2, 2], mask [0, 0; 0, 1] → 4.
    private static Tensor HandAttribution() =>
        tensor(new[] { 1.0, -2, 3, 0.5, 2, 2, 2, 2 }).reshape(2, 1, 2, 2);

    private static Tensor HandMask() => tensor(new[] { true, false, true, false, false, false, false, true })
        .reshape(2, 1, 2, 2);

    [Test]
    public void Matches_hand_computed_values_for_every_reduction()
    {
        using var scope = NewDisposeScope();
        var attribution = HandAttribution();
        Assert.That(Values(PalFunctional.right_reasons_loss(attribution, HandMask(), nn.Reduction.None)),
            Is.EqualTo(new[] { 10.0, 4.0 }).Within(1e-12));
        Assert.That(Scalar(PalFunctional.right_reasons_loss(attribution, HandMask())), Is.EqualTo(7.0).Within(1e-12));
        Assert.That(Scalar(PalFunctional.right_reasons_loss(attribution, HandMask(), nn.Reduction.Sum)),
            Is.EqualTo(14.0).Within(1e-12));
    }

    [Test]
    public void Soft_masks_weight_before_squaring_and_one_channel_covers_all()
    {
        using var scope = NewDisposeScope();
        var attribution = randn(2, 3, 4, 4, ScalarType.Float64);
        var soft = rand(2, 1, 4, 4, ScalarType.Float64);
        var expected = (attribution * soft).square().sum([1, 2, 3]);
        AssertClose(PalFunctional.right_reasons_loss(attribution, soft, nn.Reduction.None), expected, 1e-12, 0,
            "broadcast over channels");
        AssertClose(PalFunctional.right_reasons_loss(attribution, soft.expand(2, 3, 4, 4), nn.Reduction.None),
            expected, 1e-12, 0, "one mask per channel");
        var flat = randn(3, 10, ScalarType.Float64);
        var flatMask = rand(3, 10) > 0.5;
        AssertClose(PalFunctional.right_reasons_loss(flat, flatMask, nn.Reduction.None),
            (flat * flatMask).square().sum(1), 1e-12, 0, "flat inputs");
    }

    [Test]
    public void An_empty_mask_gives_zero_and_zero_gradient()
    {
        using var scope = NewDisposeScope();
        var attribution = randn(2, 3, 4, 4, ScalarType.Float64).requires_grad_();
        var loss = PalFunctional.right_reasons_loss(attribution, zeros(2, 1, 4, 4, ScalarType.Bool));
        Assert.That(Scalar(loss), Is.Zero);
        Assert.That(Values(autograd.grad([loss], [attribution])[0]), Is.All.Zero);
    }

    [Test]
    public void Module_equals_functional()
    {
        using var scope = NewDisposeScope();
        var attribution = randn(3, 2, 5, 5, ScalarType.Float64);
        var mask = rand(3, 1, 5, 5) > 0.5;
        foreach (var reduction in new[] { nn.Reduction.Mean, nn.Reduction.Sum, nn.Reduction.None })
        {
            using var module = new RightReasonsLoss(reduction);
            AssertClose(module.call(attribution, mask), PalFunctional.right_reasons_loss(attribution, mask, reduction),
                0, 0, $"{reduction}");
        }
    }

    [Test]
    public void Input_gradient_penalty_trains_the_weights_through_the_gradient()
    {
        // CE + λ·Σ(A ⊙ ∂/∂x Σ log p)² of a small CNN in float64: every parameter's analytic gradient (second order,
        // through the input gradient) against central differences.
        using var scope = NewDisposeScope();
        using var model = TinyModels.SmallCnn();
        model.eval(); // per-sample input gradients, as Ross et al.; BatchNorm then uses its running statistics
        var x = randn(3, 1, 8, 8, ScalarType.Float64);
        var labels = tensor(new long[] { 0, 2, 1 });
        var mask = rand(3, 1, 8, 8, ScalarType.Float64) > 0.6;
        const double Lambda = 10;
        Tensor Total()
        {
            var input = x.detach().requires_grad_();
            var logits = model.call(input);
            var gradient = PalFunctional.attribution_map(logits, input, null, AttributionMethod.Gradient,
                AttributionTarget.SumOfLogProbabilities);
            return nn.functional.cross_entropy(logits, labels) +
                   Lambda * PalFunctional.right_reasons_loss(gradient, mask);
        }

        var parameters = model.parameters().ToArray();
        var penalty = Total() - Total().detach();
        Assert.That(penalty.requires_grad, Is.True);
        var analytic = autograd.grad([Total()], parameters.Cast<Tensor>().ToList());
        var allAnalytic = new List<double>();
        var allNumeric = new List<double>();
        for (var i = 0; i < parameters.Length; i++)
        {
            var elements = Sample(parameters[i].numel(), 40, seed: i);
            var numeric = CentralDifferences(() =>
            {
                using var inner = NewDisposeScope();
                return Scalar(Total());
            }, parameters[i], elements);
            var flat = Values(analytic[i]);
            allAnalytic.AddRange(elements.Select(e => flat[e]));
            allNumeric.AddRange(numeric);
        }

        var error = RelativeError(allAnalytic.ToArray(), allNumeric.ToArray());
        TestContext.Out.WriteLine($"{allAnalytic.Count} elements, relative error {error:E2}");
        Assert.That(error, Is.LessThan(1e-5));
    }

    [Test]
    public void The_penalty_reaches_the_weights_only_through_the_input_gradient()
    {
        // A linear model's input gradient is its weight row: the penalty's gradient is 2λ·Σ A²·W, exactly.
        using var scope = NewDisposeScope();
        using var linear = nn.Linear(4, 1, hasBias: false, dtype: ScalarType.Float64);
        using (no_grad())
        {
            linear.weight!.copy_(tensor(new[] { 1.0, -2, 3, 4 }).reshape(1, 4));
        }

        var input = randn(2, 4, 1, 1, ScalarType.Float64).requires_grad_();
        var logits = linear.call(input.flatten(1));
        var gradient = PalFunctional.attribution_map(logits, input, null,
            AttributionMethod.Gradient, AttributionTarget.SumOfLogits);
        var mask = tensor(new[] { 1.0, 0, 1, 0, 1.0, 0, 1, 0 }).reshape(2, 4, 1, 1);
        var loss = PalFunctional.right_reasons_loss(gradient, mask, nn.Reduction.Sum);
        Assert.That(Scalar(loss), Is.EqualTo(2 * (1 + 9)).Within(1e-12));
        var weightGradient = autograd.grad([loss], [linear.weight!])[0];
        Assert.That(Values(weightGradient), Is.EqualTo(new[] { 4.0, 0, 12, 0 }).Within(1e-12));
    }

    [Test]
    public void Bad_input_names_the_argument()
    {
        using var scope = NewDisposeScope();
        var attribution = rand(2, 3, 4, 4);
        void Throws(TestDelegate call, string fragment)
        {
            var error = Assert.Throws<ArgumentException>(call)!;
            Assert.That(error.ParamName, Is.EqualTo("irrelevant").Or.EqualTo("attribution"));
            Assert.That(error.Message, Does.Contain(fragment));
        }

        Throws(() => PalFunctional.right_reasons_loss(attribution, rand(2, 4, 4) > 0), "rank and batch");
        Throws(() => PalFunctional.right_reasons_loss(attribution, rand(3, 1, 4, 4) > 0), "rank and batch");
        Throws(() => PalFunctional.right_reasons_loss(attribution, rand(2, 2, 4, 4) > 0), "each other dimension");
        Throws(() => PalFunctional.right_reasons_loss(attribution, rand(2, 1, 4, 4, ScalarType.Float64)), "dtype");
        Throws(() => PalFunctional.right_reasons_loss(rand(2), rand(2) > 0), "at least one dimension");
        Throws(() => PalFunctional.right_reasons_loss(ones(2, 3, ScalarType.Int64), ones(2, 3) > 0), "floating");
        Throws(() => PalFunctional.right_reasons_loss(rand(0, 3), rand(0, 3) > 0), "empty batch");
    }
}
