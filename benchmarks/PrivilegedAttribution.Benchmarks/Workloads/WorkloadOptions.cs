namespace PrivilegedAttribution.Benchmarks.Workloads;

/// <summary>What one timed training workload is made of; the PyTorch counterpart receives the same values.</summary>
/// <param name="Model"><c>resnet18</c> or <c>vgg11_bn</c> (TorchVision's, <see cref="Classes"/> outputs).</param>
/// <param name="Batch">Images per step.</param>
/// <param name="Size">Input height and width in pixels.</param>
public sealed record WorkloadOptions(string Model, int Batch, int Size)
{
    /// <summary>Classes of the classifier (the seven basic expressions).</summary>
    public int Classes { get; init; } = 7;

    /// <summary>λ of the PAL term.</summary>
    public double Lambda { get; init; } = 0.5;

    /// <summary>Landmarks per face (iBUG-68).</summary>
    public int Landmarks { get; init; } = 68;

    /// <summary>Seed of the weights and of the batch.</summary>
    public int Seed { get; init; } = 20220324;

    /// <summary>Gaussian σ of the heatmap prior, in input pixels: a twentieth of the image, as for faces.</summary>
    public double Sigma => Size / 20.0;

    /// <summary>The name of the linear layer after global average pooling, for the closed form.</summary>
    public string LinearHead => Model == "resnet18" ? "fc" : throw new InvalidOperationException(
        $"{Model} has no global-average-pooling + linear head (its classifier is an MLP): no closed form.");

    /// <summary>A short label for tables.</summary>
    public override string ToString() => $"{Model}, batch {Batch}, {Size}×{Size}";
}
