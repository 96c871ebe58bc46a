using TorchSharp.Modules;

namespace PrivilegedAttribution.Optimizers;

/// <summary>
/// Adam with TorchSharp's update, bit for bit, whose <see cref="step"/> releases every native object it creates
/// before it returns: the temporaries of each parameter's update as soon as that update is done, and the scalar
/// operands that no dispose scope takes (<see cref="torch.optim.Adam(IEnumerable{Parameter}, double, double, double,
/// double, double, bool, bool)"/> leaves those to the garbage collector). A training loop's resident memory then
/// stays flat without <c>GC.Collect</c>.
/// </summary>
/// <remarks>
/// Everything else is TorchSharp's <see cref="Adam"/>, which this class extends: options, parameter groups
/// (<see cref="OptimizerHelper.add_param_group"/>), learning-rate schedulers, <c>state_dict</c> and
/// <c>load_state_dict</c>. A drop-in replacement:
/// <code>
/// var optimizer = new FlatMemoryAdam(model.parameters(), lr: 1e-3);   // was torch.optim.Adam(...)
/// var scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size: 10, gamma: 0.5);
/// </code>
/// State moves in memory both ways (<c>flat.load_state_dict(torchSharps.state_dict())</c>). A state saved to a
/// file records the optimiser's class name, which TorchSharp checks on loading: a file saved by this class loads
/// into a <see cref="FlatMemoryAdam"/>, one saved by TorchSharp's <see cref="Adam"/> into TorchSharp's.
/// </remarks>
public sealed class FlatMemoryAdam : Adam
{
    /// <summary>Adam over one group of parameters; the arguments mean what they mean for TorchSharp's
    /// <see cref="Adam"/>.</summary>
    /// <param name="parameters">The parameters to optimise, e.g. <c>model.parameters()</c>.</param>
    /// <param name="lr">Learning rate.</param>
    /// <param name="beta1">Decay of the running average of the gradient.</param>
    /// <param name="beta2">Decay of the running average of the squared gradient.</param>
    /// <param name="eps">Added to the denominator for numerical stability.</param>
    /// <param name="weight_decay">L2 penalty added to the gradient.</param>
    /// <param name="amsgrad">Use the AMSGrad variant (the running maximum of the squared-gradient average).</param>
    /// <param name="maximize">Maximise the objective instead of minimising it.</param>
    /// <exception cref="ArgumentException">A hyper-parameter is out of range (TorchSharp's checks).</exception>
    public FlatMemoryAdam(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9,
        double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0, bool amsgrad = false,
        bool maximize = false)
        : base(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize)
    {
    }

    /// <summary>Adam over several parameter groups, each with its own options (unset ones take these
    /// defaults).</summary>
    /// <param name="parameters">The groups, e.g. <c>new Adam.ParamGroup(backbone.parameters(), lr: 1e-4)</c>.</param>
    /// <param name="lr">Default learning rate.</param>
    /// <param name="beta1">Default decay of the running average of the gradient.</param>
    /// <param name="beta2">Default decay of the running average of the squared gradient.</param>
    /// <param name="eps">Default term added to the denominator.</param>
    /// <param name="weight_decay">Default L2 penalty.</param>
    /// <param name="amsgrad">Default for the AMSGrad variant.</param>
    /// <param name="maximize">Default for maximising instead of minimising.</param>
    /// <exception cref="ArgumentException">A hyper-parameter is out of range (TorchSharp's checks).</exception>
    public FlatMemoryAdam(IEnumerable<ParamGroup> parameters, double lr = 1e-3, double beta1 = 0.9,
        double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0, bool amsgrad = false,
        bool maximize = false)
        : base(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize)
    {
    }

    /// <summary>One Adam update of every parameter that has a gradient; parameters without one are skipped.
    /// </summary>
    /// <param name="closure">Re-evaluates the model and returns the loss; optional.</param>
    /// <returns>The closure's loss, or null without a closure.</returns>
    public override Tensor step(Func<Tensor>? closure = null)
    {
        return _step<ParamGroup>(group =>
        {
            var options = (Options)group.Options;
            var beta1 = options.beta1!.Value;
            var beta2 = options.beta2!.Value;
            var weightDecay = options.weight_decay!.Value;
            var amsgrad = options.amsgrad!.Value;
            var maximize = options.maximize!.Value;
            var eps = options.eps!.Value;
            var lr = options.LearningRate!.Value;

            foreach (var param in group.Parameters)
            {
                using var temporaries = NewDisposeScope();
                using var scalars = new StepScalars();
                var state = (State)_state[param.Handle];
                var grad = param.grad;
                if (grad is null)
                {
                    continue;
                }

                // The operations, their order and their operands' types are TorchSharp's Adam.step (0.107), so
                // that the update is the same to the bit; only the operands' lifetimes differ.
                if (maximize)
                {
                    grad = -grad;
                }

                state.step += 1;
                var biasCorrection1 = 1 - Math.Pow(beta1, state.step);
                var biasCorrection2 = 1 - Math.Pow(beta2, state.step);
                if (weightDecay != 0)
                {
                    grad = grad.add(param, scalars.Of(weightDecay));
                }

                state.exp_avg.mul_(scalars.Of(beta1)).add_(grad, scalars.Of(1 - beta1));
                state.exp_avg_sq.mul_(scalars.Of(beta2)).addcmul_(grad, grad.conj(), scalars.Of(1 - beta2));
                var squareAverage = state.exp_avg_sq;
                if (amsgrad)
                {
                    var previousMaximum = state.max_exp_avg_sq;
                    state.max_exp_avg_sq = maximum(previousMaximum, state.exp_avg_sq).DetachFromDisposeScope();
                    previousMaximum.Dispose();
                    squareAverage = state.max_exp_avg_sq;
                }

                // TorchSharp divides out of place; dividing the square root in place computes the same values
                // and holds one parameter-sized temporary instead of two (411 MB for VGG's first classifier layer).
                var denominator = squareAverage.sqrt().div_(scalars.Of(Math.Sqrt(biasCorrection2)))
                    .add_(scalars.Of(eps), scalars.Of(1));
                var stepSize = lr / biasCorrection1;
                param.addcdiv_(state.exp_avg, denominator, scalars.Of(-stepSize));
            }
        }, closure);
    }
}
