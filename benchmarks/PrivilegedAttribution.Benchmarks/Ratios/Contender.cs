namespace PrivilegedAttribution.Benchmarks.Ratios;

/// <summary>One timed piece of work of the ratio driver: a training step of one framework, or a heatmap
/// rendering. <see cref="Prepare"/> (hooks) runs outside the clock; <see cref="Time"/> returns milliseconds.</summary>
/// <param name="Key">e.g. "TorchSharp plain", the name ratios refer to.</param>
/// <param name="Prepare">Sets up what the work needs (untimed).</param>
/// <param name="Time">Runs the work once and returns its wall time in ms.</param>
public sealed record Contender(string Key, Action Prepare, Func<double> Time);
