using TorchSharp.Modules;

namespace PrivilegedAttribution.Optimizers;

/// <summary>
/// Stochastic gradient descent (optionally with momentum) with TorchSharp's update, bit for bit, whose
/// <see cref="step"/> releases every native object it creates before it returns: the temporaries of each
/// parameter's update as soon as that update is done, and the scalar operands that no dispose scope takes
/// (<see cref="torch.optim.SGD(IEnumerable{Parameter}, double, double, double, double, bool, bool)"/> leaves
/// those to the garbage collector). A training loop's resident memory then stays flat without <c>GC.Collect</c>.
/// </summary>
/// <remarks>
/// Everything else is TorchSharp's <see cref="SGD"/>, which this class extends: options, parameter groups,
/// learning-rate schedulers, <c>state_dict</c> and <c>load_state_dict</c>. A drop-in replacement:
/// <code>
/// var optimizer = new FlatMemorySGD(model.parameters(), lr: 0.01, momentum: 0.9);   // was torch.optim.SGD(...)
/// </code>
/// State moves in memory both ways (<c>flat.load_state_dict(torchSharps.state_dict())</c>). A state saved to a
/// file records the optimiser's class name, which TorchSharp checks on loading: a file saved by this class loads
/// into a <see cref="FlatMemorySGD"/>, one saved by TorchSharp's <see cref="SGD"/> into TorchSharp's.
/// </remarks>
public sealed class FlatMemorySGD : SGD
{
    /// <summary>SGD over one group of parameters; the arguments mean what they mean for TorchSharp's
    /// <see cref="SGD"/>.</summary>
    /// <param name="parameters">The parameters to optimise, e.g. <c>model.parameters()</c>.</param>
    /// <param name="lr">Learning rate.</param>
    /// <param name="momentum">Momentum factor (0: none).</param>
    /// <param name="dampening">Dampening of the momentum.</param>
    /// <param name="weight_decay">L2 penalty added to the gradient.</param>
    /// <param name="nesterov">Nesterov momentum (needs a momentum and zero dampening).</param>
    /// <param name="maximize">Maximise the objective instead of minimising it.</param>
    /// <exception cref="ArgumentException">A hyper-parameter is out of range (TorchSharp's checks).</exception>
    public FlatMemorySGD(IEnumerable<Parameter> parameters, double lr, double momentum = 0.0, double dampening = 0,
        double weight_decay = 0, bool nesterov = false, bool maximize = false)
        : base(parameters, lr, momentum, dampening, weight_decay, nesterov, maximize)
    {
    }

    /// <summary>SGD over several parameter groups, each with its own options (unset ones take these defaults).
    /// </summary>
    /// <param name="parameters">The groups, e.g. <c>new SGD.ParamGroup(backbone.parameters(), lr: 1e-4)</c>.
    /// </param>
    /// <param name="lr">Default learning rate.</param>
    /// <param name="momentum">Default momentum factor.</param>
    /// <param name="dampening">Default dampening of the momentum.</param>
    /// <param name="weight_decay">Default L2 penalty.</param>
    /// <param name="nesterov">Default for Nesterov momentum.</param>
    /// <param name="maximize">Default for maximising instead of minimising.</param>
    /// <exception cref="ArgumentException">A hyper-parameter is out of range (TorchSharp's checks).</exception>
    public FlatMemorySGD(IEnumerable<ParamGroup> parameters, double lr, double momentum = 0.0, double dampening = 0,
        double weight_decay = 0, bool nesterov = false, bool maximize = false)
        : base(parameters, lr, momentum, dampening, weight_decay, nesterov, maximize)
    {
    }

    /// <summary>One SGD update of every parameter that has a gradient; parameters without one are skipped.
    /// </summary>
    /// <param name="closure">Re-evaluates the model and returns the loss; optional.</param>
    /// <returns>The closure's loss, or null without a closure.</returns>
    public override Tensor step(Func<Tensor>? closure = null)
    {
        return _step<ParamGroup>(group =>
        {
            var options = group.Options;
            var momentum = options.momentum!.Value;
            var dampening = options.dampening!.Value;
            var weightDecay = options.weight_decay!.Value;
            var nesterov = options.nesterov!.Value;
            var maximize = options.maximize!.Value;
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

                // The operations, their order and their operands' types are TorchSharp's SGD.step (0.107), so that
                // the update is the same to the bit; only the operands' lifetimes differ.
                if (weightDecay != 0)
                {
                    grad = grad.add(param, scalars.Of(weightDecay));
                }

                if (momentum != 0)
                {
                    var buffer = state.momentum_buffer;
                    if (buffer is null)
                    {
                        buffer = grad.clone().detach().DetachFromDisposeScope();
                        state.momentum_buffer = buffer;
                    }
                    else
                    {
                        buffer.mul_(scalars.Of(momentum)).add_(grad, scalars.Of(1 - dampening));
                    }

                    grad = nesterov ? grad.add(buffer, scalars.Of(momentum)) : buffer;
                }

                param.add_(grad, scalars.Of(maximize ? lr : -lr));
            }
        }, closure);
    }
}
