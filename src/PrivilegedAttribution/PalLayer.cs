namespace PrivilegedAttribution;

/// <summary>One PAL term of a <see cref="PalObjective"/>: the layer, its weight λ and how its maps are formed.
/// </summary>
/// <param name="Name">The layer's name in <c>model.named_modules()</c>, e.g. <c>"layer3"</c> or
/// <c>"features.20"</c>.</param>
/// <param name="Weight">λ, the term's weight in the total loss.</param>
/// <param name="Strategy">Channel strategy; <see cref="ChannelStrategy.Mean"/> when null.</param>
/// <param name="Normalization">Pearson (default) or cross-correlation.</param>
public sealed record PalLayer(
    string Name,
    double Weight,
    ChannelStrategy? Strategy = null,
    PalNormalization Normalization = PalNormalization.Pearson)
{
    /// <summary>Set when the layer reaches the logits only through global average pooling and a linear layer:
    /// the attribution is then computed in closed form, without a backward pass (and PAL without a double
    /// backward). Null (default): the attribution comes from autograd, which is right for any layer.</summary>
    public GlobalPoolLinearHead? Head { get; init; }
}
