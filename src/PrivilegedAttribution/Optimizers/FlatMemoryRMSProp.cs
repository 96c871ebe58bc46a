using TorchSharp.Modules;

namespace PrivilegedAttribution.Optimizers;

/// <summary>
/// RMSprop with TorchSharp's update, bit for bit, whose <see cref="step"/> releases every native object it creates
/// before it returns: the temporaries of each parameter's update as soon as that update is done, and the scalar
/// operands that no dispose scope takes (<see cref="torch.optim.RMSProp(IEnumerable{Parameter}, double, double,
/// double, double, double, bool, bool)"/> leaves those to the garbage collector). A training loop's resident
/// memory then stays flat without <c>GC.Collect</c>.
/// </summary>
/// <remarks>
/// Everything else is TorchSharp's <see cref="RMSProp"/>, which this class extends: options, parameter groups,
/// learning-rate schedulers, <c>state_dict</c> and <c>load_state_dict</c>. A drop-in replacement:
/// <code>
/// var optimizer = new FlatMemoryRMSProp(model.parameters(), lr: 1e-3, momentum: 0.9);   // was torch.optim.RMSProp
/// </code>
/// State moves in memory both ways (<c>flat.load_state_dict(torchSharps.state_dict())</c>). A state saved to a
/// file records the optimiser's class name, which TorchSharp checks on loading: a file saved by this class loads
/// into a <see cref="FlatMemoryRMSProp"/>, one saved by TorchSharp's <see cref="RMSProp"/> into TorchSharp's.
/// </remarks>
public sealed class FlatMemoryRMSProp : RMSProp
{
    /// <summary>RMSprop over one group of parameters; the arguments mean what they mean for TorchSharp's
    /// <see cref="RMSProp"/>.</summary>
    /// <param name="parameters">The parameters to optimise, e.g. <c>model.parameters()</c>.</param>
    /// <param name="lr">Learning rate.</param>
    /// <param name="alpha">Decay of the running average of the squared gradient.</param>
    /// <param name="eps">Added to the denominator for numerical stability.</param>
    /// <param name="weight_decay">L2 penalty added to the gradient.</param>
    /// <param name="momentum">Momentum factor (0: none).</param>
    /// <param name="centered">Normalise by an estimate of the gradient's variance instead of its second moment.
    /// </param>
    /// <param name="maximize">Maximise the objective instead of minimising it.</param>
    /// <exception cref="ArgumentException">A hyper-parameter is out of range (TorchSharp's checks).</exception>
    public FlatMemoryRMSProp(IEnumerable<Parameter> parameters, double lr = 1e-3, double alpha = 0.99,
        double eps = 1e-8, double weight_decay = 0, double momentum = 0.0, bool centered = false,
        bool maximize = false)
        : base(parameters, lr, alpha, eps, weight_decay, momentum, centered, maximize)
    {
    }

    /// <summary>RMSprop over several parameter groups, each with its own options (unset ones take these
    /// defaults).</summary>
    /// <param name="parameters">The groups, e.g. <c>new RMSProp.ParamGroup(backbone.parameters(), lr: 1e-4)</c>.
    /// </param>
    /// <param name="lr">Default learning rate.</param>
    /// <param name="alpha">Default decay of the running average of the squared gradient.</param>
    /// <param name="eps">Default term added to the denominator.</param>
    /// <param name="weight_decay">Default L2 penalty.</param>
    /// <param name="momentum">Default momentum factor.</param>
    /// <param name="centered">Default for the centred variant.</param>
    /// <param name="maximize">Default for maximising instead of minimising.</param>
    /// <exception cref="ArgumentException">A hyper-parameter is out of range (TorchSharp's checks).</exception>
    public FlatMemoryRMSProp(IEnumerable<ParamGroup> parameters, double lr = 1e-3, double alpha = 0.99,
        double eps = 1e-8, double weight_decay = 0, double momentum = 0.0, bool centered = false,
        bool maximize = false)
        : base(parameters, lr, alpha, eps, weight_decay, momentum, centered, maximize)
    {
    }

    /// <summary>One RMSprop update of every parameter that has a gradient; parameters without one are skipped.
    /// </summary>
    /// <param name="closure">Re-evaluates the model and returns the loss; optional.</param>
    /// <returns>The closure's loss, or null without a closure.</returns>
    public override Tensor step(Func<Tensor>? closure = null)
    {
        return _step<ParamGroup>(group =>
        {
            var options = (Options)group.Options;
            var maximize = options.maximize!.Value;
            var momentum = options.momentum!.Value;
            var alpha = options.alpha!.Value;
            var weightDecay = options.weight_decay!.Value;
            var centered = options.centered!.Value;
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

                // The operations, their order and their operands' types are TorchSharp's RMSProp.step (0.107), so
                // that the update is the same to the bit; only the operands' lifetimes differ.
                if (maximize)
                {
                    grad = -grad;
                }

                state.step += 1;
                if (weightDecay != 0)
                {
                    grad = grad.add(param, scalars.Of(weightDecay));
                }

                state.square_avg.mul_(scalars.Of(alpha)).addcmul_(grad, grad, scalars.Of(1 - alpha));
                Tensor average;
                if (centered)
                {
                    var gradAverage = state.grad_avg;
                    gradAverage.mul_(scalars.Of(alpha)).add_(grad, scalars.Of(1 - alpha));
                    average = state.square_avg.addcmul(gradAverage, gradAverage, scalars.Of(-1)).sqrt_()
                        .add_(scalars.Of(eps), scalars.Of(1));
                }
                else
                {
                    average = state.square_avg.sqrt().add_(scalars.Of(eps), scalars.Of(1));
                }

                if (momentum > 0)
                {
                    var buffer = state.momentum_buffer;
                    buffer.mul_(scalars.Of(momentum)).addcdiv_(grad, average, scalars.Of(1));
                    param.add_(buffer, scalars.Of(-lr));
                }
                else
                {
                    param.addcdiv_(grad, average, scalars.Of(-lr));
                }
            }
        }, closure);
    }
}
