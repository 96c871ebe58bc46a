using PrivilegedAttribution.Benchmarks.Workloads;

namespace PrivilegedAttribution.Benchmarks.Investigations.Backend;

/// <summary>One workload of the backend comparison: its plain step and its PAL step (<see cref="PalObjective"/> at
/// <see cref="WorkloadOptions.PalLayer"/>) are timed under each back-end setting.</summary>
/// <param name="Name">e.g. "ResNet-18", as the report names it.</param>
/// <param name="Options">The model, batch and PAL setting.</param>
/// <param name="StepsPerTiming">Steps run back to back per timing (their mean is reported per step).</param>
public sealed record BackendWorkload(string Name, WorkloadOptions Options, int StepsPerTiming)
{
    /// <summary>The two workloads of <paramref name="profile"/>: ResNet-18 at the size (its first batch and
    /// input size) and the Decoy MNIST experiment's CNN (<see cref="WorkloadOptions.DecoyMnistCnn"/>). Both the driver
    /// and its workers build them from the profile's name.</summary>
    public static IReadOnlyList<BackendWorkload> For(BenchmarkProfile profile) =>
    [
        new("ResNet-18", new WorkloadOptions("resnet18", profile.BatchSizes[0], profile.InputSizes[0]), 1),
        new("Decoy MNIST CNN", WorkloadOptions.DecoyMnistCnn(profile.DecoyCnnBatch), profile.DecoyCnnStepsPerTiming),
    ];

    /// <summary>"ResNet-18 (resnet18, batch 16, 112×112, 7 classes, PAL at layer3, λ = 0.5, …)", as the report
    /// describes it.</summary>
    public string Describe() =>
        $"{Name} ({Options}, {Options.Classes} classes, PAL at {Options.PalLayer}, " +
        FormattableString.Invariant($"λ = {Options.Lambda}, {Options.Method}, {StepsPerTiming} step(s) per timing)");
}
