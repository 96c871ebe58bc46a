namespace PrivilegedAttribution.Benchmarks.Workloads;

/// <summary>One training step to time: its kind and, for the PAL steps, the tapped layer. A benchmark parameter
/// rather than one method per kind, so that a plain step is timed once, not once per layer.</summary>
/// <param name="Step">The kind of step.</param>
/// <param name="Layer">The tapped layer (the plain step taps none).</param>
public sealed record StepCase(TrainingStep Step, string Layer)
{
    /// <summary>The plain step followed by each layer's <paramref name="kinds"/>, and the closed form for
    /// <paramref name="closedFormLayer"/> when given.</summary>
    public static IEnumerable<StepCase> For(IEnumerable<string> layers, TrainingStep[] kinds,
        string? closedFormLayer = null)
    {
        var firstLayer = "";
        foreach (var layer in layers)
        {
            if (firstLayer.Length == 0)
            {
                firstLayer = layer;
                yield return new StepCase(TrainingStep.Plain, layer);
            }

            foreach (var kind in kinds)
            {
                yield return new StepCase(kind, layer);
            }

            if (layer == closedFormLayer)
            {
                yield return new StepCase(TrainingStep.PalClosedForm, layer);
            }
        }
    }

    /// <summary>e.g. "Plain" or "PalObjective@layer3" (BenchmarkDotNet's parameter column).</summary>
    public override string ToString() => Step == TrainingStep.Plain ? "Plain" : $"{Step}@{Layer}";
}
