using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PrivilegedAttribution.Tests;

/// <summary>Small models whose attributions can be worked out by hand or checked by finite differences.</summary>
internal static class TinyModels
{
    /// <summary>
    /// conv (1×1, weight 2, no bias) → ReLU (in place) → flatten → linear (weights given, no bias), on 1×2×2 inputs.
    /// For class t: A = 2x, G = W[t] ⊙ (A &gt; 0), so G ⊙ A = W[t] ⊙ ReLU(2x).
    /// </summary>
    internal static Sequential HandModel(double[,] classWeights, bool inplace = true)
    {
        var conv = Conv2d(1, 1, 1, bias: false, dtype: ScalarType.Float64);
        var fc = Linear(4, classWeights.GetLength(0), hasBias: false, dtype: ScalarType.Float64);
        using (no_grad())
        {
            conv.weight!.fill_(2.0);
            fc.weight!.copy_(tensor(classWeights));
        }

        return Sequential(("conv", conv), ("relu", ReLU(inplace)), ("flat", Flatten()), ("fc", fc));
    }

    /// <summary>conv → BN → ReLU → conv → ReLU → max-pool → conv (tapped as "conv3") → tanh → global average
    /// pool → linear: every kind of layer a CNN for faces uses, small enough for exhaustive finite differences.
    /// </summary>
    internal static Sequential SmallCnn(int classes = 3, ScalarType dtype = ScalarType.Float64, int inputChannels = 1)
    {
        return Sequential(
            ("conv1", Conv2d(inputChannels, 4, 3, padding: 1, dtype: dtype)),
            ("bn1", BatchNorm2d(4, dtype: dtype)),
            ("relu1", ReLU()),
            ("conv2", Conv2d(4, 6, 3, padding: 1, dtype: dtype)),
            ("relu2", ReLU()),
            ("pool", MaxPool2d(2)),
            ("conv3", Conv2d(6, 5, 3, padding: 1, dtype: dtype)),
            ("tanh", Tanh()),
            ("gap", AdaptiveAvgPool2d(1)),
            ("flat", Flatten()),
            ("fc", Linear(5, classes, dtype: dtype)));
    }
}
