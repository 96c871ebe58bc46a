using PrivilegedAttribution.Optimizers;
using TorchSharp;
using TorchSharp.Modules;

namespace PrivilegedAttribution.Benchmarks.Soak;

/// <summary>The optimisers a soak compares, by the names its command line takes: TorchSharp's Adam and SGD and the
/// package's flat-memory counterparts, with the samples' hyper-parameters.</summary>
public static class SoakOptimizer
{
    /// <summary>Every name, in the order the report lists them.</summary>
    public static readonly IReadOnlyList<string> Names = ["adam", "flat-adam", "sgd", "flat-sgd"];

    /// <summary>The optimiser called <paramref name="name"/> over <paramref name="parameters"/>.</summary>
    /// <exception cref="ArgumentException">An unknown name; the message lists the known ones.</exception>
    public static torch.optim.Optimizer Create(string name, IEnumerable<Parameter> parameters) => name switch
    {
        "adam" => torch.optim.Adam(parameters, lr: 1e-3),
        "flat-adam" => new FlatMemoryAdam(parameters, lr: 1e-3),
        "sgd" => torch.optim.SGD(parameters, 0.01, momentum: 0.9),
        "flat-sgd" => new FlatMemorySGD(parameters, lr: 0.01, momentum: 0.9),
        _ => throw new ArgumentException(
            $"Unknown optimiser '{name}': expected one of {string.Join(", ", Names)}.", nameof(name)),
    };

    /// <summary>How the report names it.</summary>
    public static string Describe(string name) => name switch
    {
        "adam" => "TorchSharp Adam",
        "flat-adam" => "FlatMemoryAdam",
        "sgd" => "TorchSharp SGD (momentum 0.9)",
        "flat-sgd" => "FlatMemorySGD (momentum 0.9)",
        _ => name,
    };
}
