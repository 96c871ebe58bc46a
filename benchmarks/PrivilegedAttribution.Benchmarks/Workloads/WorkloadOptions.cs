namespace PrivilegedAttribution.Benchmarks.Workloads;

/// <summary>What one timed training workload is made of; the PyTorch counterpart receives the same values.</summary>
/// <param name="Model"><c>resnet18</c> or <c>vgg11_bn</c> (TorchVision's, <see cref="Classes"/> outputs), or
/// <c>decoy-mnist-cnn</c> (<see cref="DecoyMnistCnn"/>).</param>
/// <param name="Batch">Images per step.</param>
/// <param name="Size">Input height and width in pixels.</param>
public sealed record WorkloadOptions(string Model, int Batch, int Size)
{
    private readonly double? _sigma;

    /// <summary>The Decoy MNIST experiment's classifier (<see cref="DigitCnn"/>) with the PAL setting the experiment
    /// trains it with by default (experiments/DecoyMnist/Program.cs): <c>pool1</c>, λ = 30, mean of the channels,
    /// σ = 2 px, |G| ⊙ A for the true class, on 28×28 digits (the experiment's batch is 64). The experiment's
    /// heatmap comes from the digit's ink; here it comes from landmarks (the package's <see cref="PalObjective"/>):
    /// the attribution and its double backward, the step's cost, are the experiment's.</summary>
    public static WorkloadOptions DecoyMnistCnn(int batch) => new("decoy-mnist-cnn", batch, 28)
    {
        Channels = 1,
        Classes = 10,
        Lambda = 30,
        Sigma = 2,
        Method = AttributionMethod.AbsGradientXActivation,
        PalLayer = "pool1",
    };

    /// <summary>Channels of the input images.</summary>
    public int Channels { get; init; } = 3;

    /// <summary>Classes of the classifier (the seven basic expressions).</summary>
    public int Classes { get; init; } = 7;

    /// <summary>λ of the PAL term.</summary>
    public double Lambda { get; init; } = 0.5;

    /// <summary>Landmarks per face (iBUG-68).</summary>
    public int Landmarks { get; init; } = 68;

    /// <summary>Seed of the weights and of the batch.</summary>
    public int Seed { get; init; } = 20220324;

    /// <summary>Gaussian σ of the heatmap prior, in input pixels: by default a twentieth of the image, as for faces.
    /// </summary>
    public double Sigma
    {
        get => _sigma ?? Size / 20.0;
        init => _sigma = value;
    }

    /// <summary>How gradient and activation combine in the attribution.</summary>
    public AttributionMethod Method { get; init; } = AttributionMethod.GradientXActivation;

    /// <summary>The layer PAL taps when a command takes the workload's usual one (the issue's <c>layer3</c> for
    /// ResNet-18).</summary>
    public string PalLayer { get; init; } = "layer3";

    /// <summary>Whether each step zeroes the gradients in place (TorchSharp's <c>optimizer.zero_grad()</c>, PyTorch's
    /// <c>set_to_none=False</c>) instead of dropping them (<c>model.zero_grad()</c>, PyTorch 2's default and what the
    /// package's documentation recommends): kept gradients stay allocated through the next step's forward.</summary>
    public bool ZeroGradInPlace { get; init; }

    /// <summary><see cref="ZeroGradInPlace"/> as the command lines (<c>--zero-grad</c>, also pal_step.py's) and the
    /// JSON files write it: <see cref="ZeroGradInPlaceName"/> or <see cref="ZeroGradDropName"/>.</summary>
    public string ZeroGrad => ZeroGradInPlace ? ZeroGradInPlaceName : ZeroGradDropName;

    /// <summary>The <c>--zero-grad</c> value that zeroes the gradients in place.</summary>
    public const string ZeroGradInPlaceName = "in-place";

    /// <summary>The <c>--zero-grad</c> value that drops the gradients.</summary>
    public const string ZeroGradDropName = "none";

    /// <summary>The name of the linear layer after global average pooling, for the closed form.</summary>
    public string LinearHead => Model == "resnet18" ? "fc" : throw new InvalidOperationException(
        $"{Model} has no global-average-pooling + linear head (its classifier is an MLP): no closed form.");

    /// <summary>A short label for tables.</summary>
    public override string ToString() => $"{Model}, batch {Batch}, {Size}×{Size}";
}
