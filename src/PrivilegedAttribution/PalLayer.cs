namespace PrivilegedAttribution;

/// <summary>One PAL term of a <see cref="PalObjective"/>: the layer, its weight λ and how its maps are formed.
/// </summary>
/// <param name="Name">The layer's name in <c>model.named_modules()</c>, e.g. <c>"layer3"</c> or
/// <c>"features.20"</c>; or <see cref="Input"/> for the model's input.</param>
/// <param name="Weight">λ, the term's weight in the total loss (<see cref="PalObjective.SetWeight"/> changes it
/// between steps).</param>
/// <param name="Strategy">Channel strategy; <see cref="ChannelStrategy.Mean"/> when null.</param>
/// <param name="Normalization">Pearson (default), the paper's cross-correlation, or cosine.</param>
public sealed record PalLayer(
    string Name,
    double Weight,
    ChannelStrategy? Strategy = null,
    PalNormalization Normalization = PalNormalization.Pearson)
{
    /// <summary>
    /// The name of the model's input as a PAL layer: <c>new PalLayer(PalLayer.Input, λ)</c> attributes at the images
    /// themselves (G ⊙ x with G = ∂S/∂x, or G), with the heatmap rendered at the input's resolution — the setting of
    /// input-gradient methods such as RRR, with PAL's loss. The gradient is kept for the double backward as at any
    /// layer, so PAL trains the weights through G. No module can have this name (it is not a valid module path).
    /// </summary>
    public const string Input = "<input>";

    /// <summary>Set when the layer reaches the logits only through global average pooling and a linear layer:
    /// the attribution is then computed in closed form, without a backward pass (and PAL without a double
    /// backward). Null (default): the attribution comes from autograd, which is right for any layer.</summary>
    public GlobalPoolLinearHead? Head { get; init; }

    /// <summary>Where the layer's cells sit on the input image, for rendering its heatmap: null (default) for a grid
    /// spanning the image evenly (the paper's resized heatmap), a declared <see cref="LayerGrid"/>, or
    /// <see cref="LayerGrid.FromModel"/> to derive it from the model's receptive fields on the first batch.</summary>
    public LayerGrid? Grid { get; init; }

    /// <summary>
    /// Whether the gradient factor G of the attribution keeps its graph, so that the loss trains the weights through
    /// G as well as through the activation A: true (default) is PAL's second order. False computes G without
    /// <c>create_graph</c> and treats it as a constant (stop(G) ⊙ A for
    /// <see cref="AttributionMethod.GradientXActivation"/>): the loss then reaches the weights through A only, so only
    /// the layers up to the tapped one, and the step needs no double backward, which makes it cheaper. That is how the
    /// XIL typology's Grad-CAM losses train (<see cref="AttributionMethod.GradCam"/>); as an option it measures what
    /// the second order is worth. A departure from PAL's paper.
    /// <see cref="AttributionMethod.Activation"/> computes no gradient, so the switch does not apply to it;
    /// <see cref="AttributionMethod.Gradient"/> and <see cref="Input"/> need the second order (without it nothing
    /// would reach the weights), which <see cref="PalObjective"/> checks.
    /// </summary>
    /// <example><code>
    /// var firstOrder = new PalLayer("layer3", 0.5) { SecondOrder = false };
    /// </code></example>
    public bool SecondOrder { get; init; } = true;

    /// <summary>Whether this term attributes at the model's input (<see cref="Input"/>).</summary>
    public bool IsInput => Name == Input;
}
