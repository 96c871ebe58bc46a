namespace PrivilegedAttribution;

/// <summary>
/// Declares that a tapped layer reaches the logits only through global average pooling and one linear layer, as
/// TorchVision's ResNet does after <c>layer4</c> (<c>avgpool</c> → flatten → <c>fc</c>). The gradient of the score
/// with respect to the layer's output is then known in closed form: the class's weight row spread evenly over the
/// map, G[b,c,i,j] = W[t_b,c]/(h·w). <see cref="PalObjective"/> uses it instead of a backward pass, so that PAL at
/// that layer needs no double backward at all; the result is the same, and PAL still trains the linear layer's
/// weights through G.
/// </summary>
/// <param name="LinearLayerName">The linear layer's name in <c>model.named_modules()</c>, e.g. <c>"fc"</c>.</param>
/// <remarks>
/// The declaration is a promise about the model's forward pass that the package cannot read from the code: nothing
/// else may lie between the layer and the logits (no activation, no dropout in training mode, no other branch).
/// <see cref="PalObjective"/> checks it once, on the first batch, by comparing the logits with
/// <c>linear(mean over space of the activation)</c>, and throws if they differ.
/// </remarks>
/// <example><code>
/// var layer = new PalLayer("layer4", 0.5) { Head = GlobalPoolLinearHead.ResNet };
/// </code></example>
public sealed record GlobalPoolLinearHead(string LinearLayerName)
{
    /// <summary>TorchVision's ResNet head: <c>avgpool</c> then the linear layer <c>fc</c>.</summary>
    public static GlobalPoolLinearHead ResNet { get; } = new("fc");
}
