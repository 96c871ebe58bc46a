using PrivilegedAttribution.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Tests.Optimizers;

/// <summary>
/// The flat-memory optimisers must update exactly as TorchSharp's own: the same parameters, to the bit, after every
/// one of many steps, with each option that changes the update (weight decay, AMSGrad, maximise, momentum,
/// dampening, Nesterov, centred), with parameter groups of their own options, with a learning-rate scheduler, and
/// with a parameter that never receives a gradient.
/// </summary>
public sealed class FlatMemoryOptimizerUpdateTests
{
    private const int Steps = 40;

    /// <summary>Makes an optimiser over two parameter groups (a: the first layer; b: the second layer and a
    /// parameter that never gets a gradient).</summary>
    public delegate optim.Optimizer Factory(Parameter[] groupA, Parameter[] groupB);

    public static IEnumerable<TestCaseData> Pairs()
    {
        static Parameter[] All(Parameter[] a, Parameter[] b) => a.Concat(b).ToArray();

        yield return Pair("Adam, defaults",
            (a, b) => optim.Adam(All(a, b), lr: 0.01),
            (a, b) => new FlatMemoryAdam(All(a, b), lr: 0.01));
        yield return Pair("Adam, weight decay + AMSGrad",
            (a, b) => optim.Adam(All(a, b), lr: 0.01, weight_decay: 0.1, amsgrad: true),
            (a, b) => new FlatMemoryAdam(All(a, b), lr: 0.01, weight_decay: 0.1, amsgrad: true));
        yield return Pair("Adam, maximize + betas + eps",
            (a, b) => optim.Adam(All(a, b), lr: 0.003, beta1: 0.8, beta2: 0.99, eps: 1e-6, maximize: true),
            (a, b) => new FlatMemoryAdam(All(a, b), lr: 0.003, beta1: 0.8, beta2: 0.99, eps: 1e-6, maximize: true));
        yield return Pair("Adam, parameter groups",
            (a, b) => optim.Adam(new[] { AdamGroup(a), AdamGroup(b, second: true) }, lr: 0.01),
            (a, b) => new FlatMemoryAdam(new[] { AdamGroup(a), AdamGroup(b, second: true) }, lr: 0.01));
        yield return Pair("Adam, StepLR", scheduled: true,
            reference: (a, b) => optim.Adam(All(a, b), lr: 0.02, weight_decay: 0.01),
            flat: (a, b) => new FlatMemoryAdam(All(a, b), lr: 0.02, weight_decay: 0.01));

        yield return Pair("AdamW, defaults",
            (a, b) => optim.AdamW(All(a, b), lr: 0.01),
            (a, b) => new FlatMemoryAdamW(All(a, b), lr: 0.01));
        yield return Pair("AdamW, weight decay + AMSGrad + maximize",
            (a, b) => optim.AdamW(All(a, b), lr: 0.01, weight_decay: 0.1, amsgrad: true, maximize: true),
            (a, b) => new FlatMemoryAdamW(All(a, b), lr: 0.01, weight_decay: 0.1, amsgrad: true, maximize: true));
        yield return Pair("AdamW, parameter groups",
            (a, b) => optim.AdamW(new[] { AdamWGroup(a), AdamWGroup(b, second: true) }, lr: 0.01),
            (a, b) => new FlatMemoryAdamW(new[] { AdamWGroup(a), AdamWGroup(b, second: true) }, lr: 0.01));
        yield return Pair("AdamW, StepLR", scheduled: true,
            reference: (a, b) => optim.AdamW(All(a, b), lr: 0.02, weight_decay: 0.05),
            flat: (a, b) => new FlatMemoryAdamW(All(a, b), lr: 0.02, weight_decay: 0.05));

        yield return Pair("RMSProp, defaults",
            (a, b) => optim.RMSProp(All(a, b), lr: 0.01),
            (a, b) => new FlatMemoryRMSProp(All(a, b), lr: 0.01));
        yield return Pair("RMSProp, momentum + centered + weight decay",
            (a, b) => optim.RMSProp(All(a, b), lr: 0.01, momentum: 0.9, centered: true, weight_decay: 0.1),
            (a, b) => new FlatMemoryRMSProp(All(a, b), lr: 0.01, momentum: 0.9, centered: true, weight_decay: 0.1));
        yield return Pair("RMSProp, maximize + alpha + eps",
            (a, b) => optim.RMSProp(All(a, b), lr: 0.003, alpha: 0.9, eps: 1e-6, maximize: true),
            (a, b) => new FlatMemoryRMSProp(All(a, b), lr: 0.003, alpha: 0.9, eps: 1e-6, maximize: true));
        yield return Pair("RMSProp, parameter groups",
            (a, b) => optim.RMSProp(new[] { RmsGroup(a), RmsGroup(b, second: true) }, lr: 0.01),
            (a, b) => new FlatMemoryRMSProp(new[] { RmsGroup(a), RmsGroup(b, second: true) }, lr: 0.01));
        yield return Pair("RMSProp, StepLR", scheduled: true,
            reference: (a, b) => optim.RMSProp(All(a, b), lr: 0.01, momentum: 0.5),
            flat: (a, b) => new FlatMemoryRMSProp(All(a, b), lr: 0.01, momentum: 0.5));

        yield return Pair("SGD, plain",
            (a, b) => optim.SGD(All(a, b), learningRate: 0.05),
            (a, b) => new FlatMemorySGD(All(a, b), lr: 0.05));
        yield return Pair("SGD, momentum + dampening + weight decay",
            (a, b) => optim.SGD(All(a, b), learningRate: 0.05, momentum: 0.9, dampening: 0.1, weight_decay: 0.1),
            (a, b) => new FlatMemorySGD(All(a, b), lr: 0.05, momentum: 0.9, dampening: 0.1, weight_decay: 0.1));
        yield return Pair("SGD, Nesterov + maximize",
            (a, b) => optim.SGD(All(a, b), learningRate: 0.01, momentum: 0.9, nesterov: true, maximize: true),
            (a, b) => new FlatMemorySGD(All(a, b), lr: 0.01, momentum: 0.9, nesterov: true, maximize: true));
        yield return Pair("SGD, parameter groups",
            (a, b) => optim.SGD(new[] { SgdGroup(a), SgdGroup(b, second: true) }, learningRate: 0.05),
            (a, b) => new FlatMemorySGD(new[] { SgdGroup(a), SgdGroup(b, second: true) }, lr: 0.05));
        yield return Pair("SGD, StepLR", scheduled: true,
            reference: (a, b) => optim.SGD(All(a, b), learningRate: 0.1, momentum: 0.9),
            flat: (a, b) => new FlatMemorySGD(All(a, b), lr: 0.1, momentum: 0.9));
    }

    [TestCaseSource(nameof(Pairs))]
    public void Every_step_gives_the_same_parameters_to_the_bit(Factory reference, Factory flat, bool scheduled)
    {
        var initial = InitialValues();
        using var referenceProblem = new Problem(initial);
        using var flatProblem = new Problem(initial);
        using var referenceOptimizer = reference(referenceProblem.GroupA, referenceProblem.GroupB);
        using var flatOptimizer = flat(flatProblem.GroupA, flatProblem.GroupB);
        var referenceScheduler = scheduled ? optim.lr_scheduler.StepLR(referenceOptimizer, 7, gamma: 0.5) : null;
        var flatScheduler = scheduled ? optim.lr_scheduler.StepLR(flatOptimizer, 7, gamma: 0.5) : null;
        var data = new Generator(7);

        for (var step = 1; step <= Steps; step++)
        {
            using var scope = NewDisposeScope();
            var inputs = randn(new long[] { 8, 5 }, generator: data);
            var targets = randn(new long[] { 8, 3 }, generator: data);
            Train(referenceProblem, referenceOptimizer, inputs, targets);
            Train(flatProblem, flatOptimizer, inputs, targets);
            referenceScheduler?.step();
            flatScheduler?.step();

            for (var i = 0; i < initial.Length; i++)
            {
                Assert.That(flatProblem.Parameters[i].Equals(referenceProblem.Parameters[i]), Is.True,
                    $"parameter {i} differs after step {step}: max |difference| " +
                    $"{(flatProblem.Parameters[i] - referenceProblem.Parameters[i]).abs().max().item<float>()}");
            }
        }

        // Not a vacuous comparison: the trained parameters moved, the one without a gradient did not.
        Assert.Multiple(() =>
        {
            for (var i = 0; i < initial.Length; i++)
            {
                var moved = !flatProblem.Parameters[i].Equals(initial[i]);
                Assert.That(moved, Is.EqualTo(i != Problem.UnusedIndex), $"parameter {i} moved: {moved}");
            }

            if (scheduled)
            {
                Assert.That(flatOptimizer.ParamGroups.First().LearningRate,
                    Is.LessThan(flatOptimizer.ParamGroups.First().InitialLearningRate), "the scheduler ran");
            }
        });
    }

    [Test]
    public void TorchSharps_state_carries_over_in_memory()
    {
        var initial = InitialValues();
        using var referenceProblem = new Problem(initial);
        using var reference = optim.Adam(referenceProblem.Parameters, lr: 0.01, weight_decay: 0.1, amsgrad: true);
        var data = new Generator(11);
        var batches = Enumerable.Range(0, 2 * Steps / 4)
            .Select(_ => (randn(new long[] { 8, 5 }, generator: data), randn(new long[] { 8, 3 }, generator: data)))
            .ToArray();
        for (var step = 0; step < Steps / 4; step++)
        {
            Train(referenceProblem, reference, batches[step].Item1, batches[step].Item2);
        }

        // A flat optimiser over a copy of the trained parameters takes over TorchSharp's state mid-training.
        using var flatProblem = new Problem(referenceProblem.Parameters.Select(p => p.detach()).ToArray());
        using var flat = new FlatMemoryAdam(flatProblem.Parameters, lr: 0.01, weight_decay: 0.1, amsgrad: true);
        flat.load_state_dict(reference.state_dict());
        for (var step = Steps / 4; step < 2 * Steps / 4; step++)
        {
            Train(referenceProblem, reference, batches[step].Item1, batches[step].Item2);
            Train(flatProblem, flat, batches[step].Item1, batches[step].Item2);
        }

        for (var i = 0; i < initial.Length; i++)
        {
            Assert.That(flatProblem.Parameters[i].Equals(referenceProblem.Parameters[i]), Is.True,
                $"parameter {i} differs after taking over TorchSharp's state");
        }
    }

    private static void Train(Problem problem, optim.Optimizer optimizer, Tensor inputs, Tensor targets)
    {
        optimizer.zero_grad();
        problem.Loss(inputs, targets).backward();
        optimizer.step();
    }

    private static Tensor[] InitialValues()
    {
        var generator = new Generator(3);
        return new[]
        {
            randn(new long[] { 6, 5 }, generator: generator), randn(new long[] { 6 }, generator: generator),
            randn(new long[] { 3, 6 }, generator: generator), randn(new long[] { 4 }, generator: generator),
        };
    }

    private static TestCaseData Pair(string name, Factory reference, Factory flat, bool scheduled = false) =>
        new TestCaseData(reference, flat, scheduled).SetArgDisplayNames(name);

    private static Adam.ParamGroup AdamGroup(Parameter[] parameters, bool second = false) => second
        ? new Adam.ParamGroup(parameters, lr: 0.005, beta1: 0.85, weight_decay: 0.05, maximize: true)
        : new Adam.ParamGroup(parameters, lr: 0.02, amsgrad: true);

    private static AdamW.ParamGroup AdamWGroup(Parameter[] parameters, bool second = false) => second
        ? new AdamW.ParamGroup(parameters, lr: 0.005, beta2: 0.99, weight_decay: 0.2, maximize: true)
        : new AdamW.ParamGroup(parameters, lr: 0.02, amsgrad: true);

    private static RMSProp.ParamGroup RmsGroup(Parameter[] parameters, bool second = false) => second
        ? new RMSProp.ParamGroup(parameters, lr: 0.005, alpha: 0.95, weight_decay: 0.05, centered: true)
        : new RMSProp.ParamGroup(parameters, lr: 0.02, momentum: 0.8);

    private static SGD.ParamGroup SgdGroup(Parameter[] parameters, bool second = false) => second
        ? new SGD.ParamGroup(parameters, lr: 0.02, momentum: 0.9, nesterov: true)
        : new SGD.ParamGroup(parameters, lr: 0.05, momentum: 0.5, dampening: 0.5, weight_decay: 0.01);

    /// <summary>A two-layer perceptron as bare parameters, plus one parameter the loss never uses (its gradient
    /// stays null, which every optimiser must skip).</summary>
    private sealed class Problem : IDisposable
    {
        public const int UnusedIndex = 3;

        public Problem(Tensor[] initial)
        {
            Parameters = initial.Select(value => new Parameter(value.clone())).ToArray();
            GroupA = Parameters[..2];
            GroupB = Parameters[2..];
        }

        public Parameter[] Parameters { get; }

        public Parameter[] GroupA { get; }

        public Parameter[] GroupB { get; }

        public Tensor Loss(Tensor inputs, Tensor targets)
        {
            var hidden = tanh(inputs.matmul(Parameters[0].t()) + Parameters[1]);
            return (hidden.matmul(Parameters[2].t()) - targets).pow(2).mean();
        }

        public void Dispose()
        {
            foreach (var parameter in Parameters)
            {
                parameter.Dispose();
            }
        }
    }
}
