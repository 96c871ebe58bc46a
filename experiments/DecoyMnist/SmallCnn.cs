using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>
/// The classifier of the experiment: a small CNN for 28×28 digits (≈ 225 k parameters; ~98 % on MNIST),
/// conv 3×3 (16) → ReLU → max-pool → conv 3×3 (32) → ReLU → max-pool → linear 128 → ReLU → linear 10.
/// Every layer has a name, so PAL can tap any of them: "relu1" 16×28×28, "pool1" 16×14×14, "relu2" 32×14×14,
/// "pool2" 32×7×7; and "input", the 1×28×28 image itself (<see cref="PalLayer.Input"/>: input × gradient).
/// </summary>
public static class SmallCnn
{
    /// <summary>The layer names PAL can tap, with their spatial size.</summary>
    public static IReadOnlyDictionary<string, int> TappableLayers { get; } = new Dictionary<string, int>
    {
        ["input"] = 28, ["relu1"] = 28, ["pool1"] = 14, ["relu2"] = 14, ["pool2"] = 7,
    };

    /// <summary>A freshly initialised model (initialisation follows the global seed).</summary>
    public static Sequential Create(int classes = 10) => Sequential(
        ("conv1", Conv2d(1, 16, 3, padding: 1)),
        ("relu1", ReLU()),
        ("pool1", MaxPool2d(2)),
        ("conv2", Conv2d(16, 32, 3, padding: 1)),
        ("relu2", ReLU()),
        ("pool2", MaxPool2d(2)),
        ("flatten", Flatten()),
        ("fc1", Linear(32 * 7 * 7, 128)),
        ("relu3", ReLU()),
        ("fc2", Linear(128, classes)));
}
