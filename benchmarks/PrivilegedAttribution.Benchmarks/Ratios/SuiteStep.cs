using PrivilegedAttribution.Benchmarks.Workloads;

namespace PrivilegedAttribution.Benchmarks.Ratios;

/// <summary>One training step a <see cref="RatioSuite"/> times: TorchSharp's, and PyTorch's counterpart where there
/// is one. Its contenders are called "TorchSharp <see cref="Name"/>" and "PyTorch <see cref="Name"/>".</summary>
/// <param name="Name">e.g. "PAL layer3", as ratios and tables name it.</param>
/// <param name="Step">The C# step.</param>
/// <param name="Layer">The tapped layer (ignored by the plain step).</param>
/// <param name="PythonStep">benchmarks/pytorch/pal_step.py's name of the same step ("plain", "pal", "pal_noclone",
/// "pal_closed"), or null where PyTorch has none.</param>
/// <param name="ProbeMemory">Whether the suite measures the step's peak memory in a fresh process (both
/// frameworks).</param>
/// <param name="ProbeZeroedInPlace">Whether the suite also measures it with the gradients zeroed in place
/// (<see cref="WorkloadOptions.ZeroGradInPlace"/>), under the key "… <see cref="ZeroedInPlace"/>".</param>
public sealed record SuiteStep(string Name, TrainingStep Step, string Layer, string? PythonStep, bool ProbeMemory,
    bool ProbeZeroedInPlace = false)
{
    /// <summary>What a contender key measured with the gradients zeroed in place ends with.</summary>
    public const string ZeroedInPlace = ", gradients zeroed in place";
}
