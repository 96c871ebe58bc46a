using System.Diagnostics;
using PrivilegedAttribution.Benchmarks.Workloads;
using TorchSharp;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Benchmarks.Investigations.Profiling;

/// <summary>
/// Wall time of each part of a plain step and of a straightforward PAL step (the functional path, whose parts can be
/// timed one by one; <see cref="PalObjective"/> runs the same operations): forward and cross-entropy, the
/// attribution (G with its graph), heatmap and PAL loss, the backward pass (which holds the double backward),
/// the optimiser step, and freeing the step's tensors.
/// </summary>
public static class StepSegments
{
    /// <summary>The parts, in order.</summary>
    public static readonly string[] Names =
        ["zero_grad", "forward + CE", "attribution (G, create_graph)", "heatmap + PAL loss", "backward",
            "optimizer step", "free tensors"];

    /// <summary>Milliseconds per part of one step; the PAL parts are 0 for the plain step.</summary>
    public static double[] Time(ClassifierWorkload workload, StepCase step)
    {
        if (step.Step is not (TrainingStep.Plain or TrainingStep.PalStraightforward))
        {
            throw new ArgumentException("Only the plain and straightforward steps can be cut into parts.",
                nameof(step));
        }

        workload.Prepare(step);
        var parts = new double[Names.Length];
        var clock = Stopwatch.StartNew();
        void Mark(int part)
        {
            parts[part] = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
        }

        var scope = NewDisposeScope();
        try
        {
            workload.ZeroGrad();
            Mark(0);
            var logits = workload.Model.call(workload.Images);
            var loss = nn.functional.cross_entropy(logits, workload.Labels);
            Mark(1);
            if (step.Step == TrainingStep.PalStraightforward)
            {
                var attribution = PalFunctional.attribution_map(logits, workload.Tap!.TakeActivation(),
                    workload.Labels);
                Mark(2);
                var size = workload.Options.Size;
                var heatmap = PalFunctional.landmark_heatmap(workload.Landmarks, size, size, attribution.shape[2],
                    attribution.shape[3], workload.Options.Sigma);
                loss = loss + workload.Options.Lambda * PalFunctional.pal_loss(attribution, heatmap);
                Mark(3);
            }

            loss.backward();
            Mark(4);
            workload.Optimizer.step();
            Mark(5);
        }
        finally
        {
            scope.Dispose();
        }

        Mark(6);
        return parts;
    }
}
