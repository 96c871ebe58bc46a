using TorchSharp;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Tests;

/// <summary>Counts the native tensors a PAL training loop leaves alive.</summary>
internal static class TrainingLeaks
{
    /// <summary>Runs one step (gradients and optimiser state are allocated once, on the first), then
    /// <paramref name="steps"/> more, each in its own dispose scope, each starting with <paramref name="zeroGrad"/>
    /// (by default the optimiser's in-place zeroing).</summary>
    /// <returns>This thread's live tensors after the first step and after the last.</returns>
    internal static (long Before, long After) LiveTensors(PalObjective objective, optim.Optimizer optimizer,
        Tensor images, Tensor labels, Tensor landmarks, int steps, Action? zeroGrad = null)
    {
        zeroGrad ??= optimizer.zero_grad;
        void Step()
        {
            using var step = NewDisposeScope();
            zeroGrad();
            objective.Compute(images, labels, landmarks).Total.backward();
            optimizer.step();
        }

        Step();
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (var i = 0; i < steps; i++)
        {
            Step();
        }

        return (before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
