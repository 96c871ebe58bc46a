using TorchSharp.Modules;
using static TorchSharp.torch.nn;

namespace PrivilegedAttribution.Benchmarks.Workloads;

/// <summary>
/// The Decoy MNIST experiment's classifier, as a workload: conv 3×3 (16) → ReLU → max-pool (<c>pool1</c>,
/// 16×14×14) → conv 3×3 (32) → ReLU → max-pool → linear 128 → ReLU → linear, on 1×28×28 digits. The experiment
/// defines it in its own folder; the benchmarks compile nothing from there, so the layers are stated again here with
/// the experiment's names and sizes: the step timed is the step the experiment trains.
/// </summary>
public static class DigitCnn
{
    /// <summary>A freshly initialised model (initialisation follows the global seed).</summary>
    /// <param name="classes">Outputs of the last layer.</param>
    public static Sequential Create(int classes) => Sequential(
        ("conv1", Conv2d(1, 16, 3, padding: 1)), ("relu1", ReLU()), ("pool1", MaxPool2d(2)),
        ("conv2", Conv2d(16, 32, 3, padding: 1)), ("relu2", ReLU()), ("pool2", MaxPool2d(2)),
        ("flatten", Flatten()),
        ("fc1", Linear(32 * 7 * 7, 128)), ("relu3", ReLU()), ("fc2", Linear(128, classes)));
}
