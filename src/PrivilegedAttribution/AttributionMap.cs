namespace PrivilegedAttribution;

/// <summary>
/// Attribution of a named layer of any TorchSharp model: G ⊙ A (or another <see cref="AttributionMethod"/>) with
/// G = ∂S/∂A computed with its graph, so that a loss on the attribution reaches the weights through G (second order),
/// unless <see cref="SecondOrder"/> is false.
/// </summary>
/// <example><code>
/// using var attribution = new AttributionMap(model, "layer3");
/// var logits = model.call(images);                       // the hook captures layer3's output
/// var map = attribution.forward(logits, labels);         // (B,C,h,w), with graph
/// </code></example>
public sealed class AttributionMap : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly LayerTap? _tap;

    /// <summary>Taps <paramref name="layerName"/> of <paramref name="model"/> (names as <c>named_modules()</c>
    /// gives them). Dispose the module to remove the hook.</summary>
    /// <param name="model">Any TorchSharp module; it is not registered as a submodule.</param>
    /// <param name="layerName">e.g. <c>"layer3"</c> in ResNet, <c>"features.20"</c> in VGG.</param>
    /// <param name="method">How gradient and activation combine.</param>
    /// <param name="target">Which score is differentiated.</param>
    /// <param name="cloneOutput">See <see cref="LayerTap(nn.Module, string, bool)"/>.</param>
    public AttributionMap(
        nn.Module model,
        string layerName,
        AttributionMethod method = AttributionMethod.GradientXActivation,
        AttributionTarget target = AttributionTarget.TrueClass,
        bool cloneOutput = true)
        : this(method, target)
    {
        _tap = new LayerTap(model, layerName, cloneOutput);
    }

    /// <summary>A hook-free attribution for models that return their features: use
    /// <see cref="forward(Tensor, Tensor, Tensor)"/>.</summary>
    public AttributionMap(
        AttributionMethod method = AttributionMethod.GradientXActivation,
        AttributionTarget target = AttributionTarget.TrueClass)
        : base(nameof(AttributionMap))
    {
        Method = method;
        Target = target;
    }

    /// <summary>How gradient and activation combine.</summary>
    public AttributionMethod Method { get; }

    /// <summary>Which score is differentiated.</summary>
    public AttributionTarget Target { get; }

    /// <summary>Whether G keeps its graph (default: a loss trains the weights through G, PAL's second order) or is
    /// computed without <c>create_graph</c> and detached (first order, cheaper); see
    /// <see cref="PalLayer.SecondOrder"/>. <see cref="AttributionMethod.Gradient"/> needs it.</summary>
    /// <example><code>
    /// using var gradCam = new AttributionMap(model, "layer3", AttributionMethod.GradCam) { SecondOrder = false };
    /// </code></example>
    public bool SecondOrder { get; init; } = true;

    /// <summary>The tapped layer's name, or null for the hook-free form.</summary>
    public string? LayerName => _tap?.LayerName;

    /// <summary>The attribution of the tapped layer for the forward pass that produced
    /// <paramref name="logits"/>.</summary>
    /// <param name="logits">(B,K) logits of the last <c>model.call</c>.</param>
    /// <param name="target">(B) int64 classes; may be null unless the target kind is
    /// <see cref="AttributionTarget.TrueClass"/>.</param>
    public override Tensor forward(Tensor logits, Tensor? target)
    {
        var tap = _tap ?? throw new InvalidOperationException(
            "This AttributionMap taps no layer: pass the activation, forward(logits, activation, target).");
        return PalFunctional.attribution_map(logits, tap.TakeActivation(), target, Method, Target, SecondOrder);
    }

    /// <summary>The hook-free path: the attribution of <paramref name="activation"/>, from which
    /// <paramref name="logits"/> were computed.</summary>
    public Tensor forward(Tensor logits, Tensor activation, Tensor? target) =>
        PalFunctional.attribution_map(logits, activation, target, Method, Target, SecondOrder);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _tap?.Dispose();
        }

        base.Dispose(disposing);
    }
}
