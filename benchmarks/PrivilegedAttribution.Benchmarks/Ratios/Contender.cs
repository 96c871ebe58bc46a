namespace PrivilegedAttribution.Benchmarks.Ratios;

/// <summary>One timed piece of work of an interleaved measurement (<see cref="InterleavedRounds"/>): a training step
/// of one framework or backend setting, or a heatmap rendering. <see cref="Prepare"/> (hooks) runs outside the clock.
/// </summary>
/// <param name="Key">e.g. "TorchSharp plain", the name ratios refer to.</param>
/// <param name="Prepare">Sets up what the work needs (untimed).</param>
/// <param name="Time">Runs the work and returns what it measured.</param>
public sealed record Contender(string Key, Action Prepare, Func<StepTiming> Time);
