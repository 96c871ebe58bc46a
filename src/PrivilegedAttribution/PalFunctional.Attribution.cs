namespace PrivilegedAttribution;

public static partial class PalFunctional
{
    /// <summary>
    /// Attributions of several activations of one forward pass, from a single double-backward-ready gradient
    /// call (cheaper than one <see cref="attribution_map"/> per layer).
    /// </summary>
    /// <param name="logits">(B,K) logits.</param>
    /// <param name="activations">(B,C_l,h_l,w_l) activations, each on the logits' path.</param>
    /// <param name="target">(B) int64 class indices, required for <see cref="AttributionTarget.TrueClass"/>.</param>
    /// <param name="method">How gradient and activation combine.</param>
    /// <param name="targetKind">Which score is differentiated.</param>
    /// <param name="names">Optional names of the activations (layer names) used in error messages.</param>
    /// <returns>One attribution per activation, each of its shape and dtype and carrying a graph.</returns>
    public static Tensor[] attribution_maps(
        Tensor logits,
        IReadOnlyList<Tensor> activations,
        Tensor? target = null,
        AttributionMethod method = AttributionMethod.GradientXActivation,
        AttributionTarget targetKind = AttributionTarget.TrueClass,
        IReadOnlyList<string>? names = null) =>
        AttributionMaps(logits, activations, target, method, targetKind, names, targetValuesChecked: false);

    /// <summary>
    /// The attribution of a layer's activation for the score selected by <paramref name="targetKind"/>, with the
    /// autograd graph kept so that a loss on it trains the weights through the gradient factor (second order).
    /// </summary>
    /// <param name="logits">(B,K) logits computed from <paramref name="activation"/> with gradients enabled.</param>
    /// <param name="activation">(B,C,h,w) activation of an intermediate layer (or the input image, with
    /// <c>requires_grad</c> set).</param>
    /// <param name="target">(B) int64 class indices; required for <see cref="AttributionTarget.TrueClass"/>,
    /// ignored otherwise.</param>
    /// <param name="method">How gradient and activation combine.</param>
    /// <param name="targetKind">Which score is differentiated.</param>
    /// <returns>(B,C,h,w) attribution in the activation's dtype, carrying a graph.</returns>
    /// <remarks>The score is summed over the batch, so in training mode BatchNorm's batch statistics couple the
    /// samples' gradients exactly as in the training loss; call <c>model.eval()</c> first for per-sample maps.
    /// </remarks>
    public static Tensor attribution_map(
        Tensor logits,
        Tensor activation,
        Tensor? target = null,
        AttributionMethod method = AttributionMethod.GradientXActivation,
        AttributionTarget targetKind = AttributionTarget.TrueClass)
    {
        NotNull(activation, nameof(activation));
        return attribution_maps(logits, [activation], target, method, targetKind)[0];
    }

    /// <summary><see cref="attribution_maps"/> for callers that have already checked the class indices' range
    /// (<see cref="PalObjective"/> checks them once per batch, for the cross-entropy too).</summary>
    internal static Tensor[] AttributionMapsOfCheckedTargets(
        Tensor logits,
        IReadOnlyList<Tensor> activations,
        Tensor? target,
        AttributionMethod method,
        AttributionTarget targetKind,
        IReadOnlyList<string>? names) =>
        AttributionMaps(logits, activations, target, method, targetKind, names, targetValuesChecked: true);

    private static Tensor[] AttributionMaps(
        Tensor logits,
        IReadOnlyList<Tensor> activations,
        Tensor? target,
        AttributionMethod method,
        AttributionTarget targetKind,
        IReadOnlyList<string>? names,
        bool targetValuesChecked)
    {
        NotNull(logits, nameof(logits));
        ArgumentNullException.ThrowIfNull(activations);
        Logits(logits, nameof(logits));
        if (activations.Count == 0)
        {
            throw new ArgumentException("At least one activation is needed.", nameof(activations));
        }

        for (var i = 0; i < activations.Count; i++)
        {
            var name = names is null ? $"activations[{i}]" : $"activation of layer '{names[i]}'";
            var a = activations[i];
            ActivationOf(a, name, logits, nameof(logits));
            if (!a.requires_grad)
            {
                throw new ArgumentException(
                    $"{name} carries no autograd graph: run the forward pass with gradients enabled (not under " +
                    "torch.no_grad()), and let the logits be computed from this activation.", name);
            }
        }

        if (!logits.requires_grad)
        {
            throw new ArgumentException(
                $"{nameof(logits)} carries no autograd graph: run the forward pass with gradients enabled.",
                nameof(logits));
        }

        using var scope = NewDisposeScope();
        var score = Score(logits, target, targetKind, targetValuesChecked);
        // create_graph makes G differentiable (PAL trains the weights through G); retain_graph keeps the forward
        // graph for the cross-entropy backward that follows. TorchSharp defaults retain_graph to false.
        var gradients = autograd.grad(
            [score], activations.ToList(), retain_graph: true, create_graph: true, allow_unused: true);
        var result = new Tensor[activations.Count];
        for (var i = 0; i < activations.Count; i++)
        {
            var g = gradients[i];
            if (g is null || g.IsInvalid || g.Handle == IntPtr.Zero)
            {
                var name = names is null ? $"activations[{i}]" : $"layer '{names[i]}'";
                throw new ArgumentException(
                    $"The {name} does not influence the logits: the score has no gradient with respect to it. " +
                    "Tap a layer on the path from the input to the logits.", nameof(activations));
            }

            result[i] = Combine(g, activations[i], method);
        }

        scope.MoveToOuter(result);
        return result;
    }

    /// <summary>G ⊙ A, G or |G| ⊙ A; G may be a broadcastable (B,C,1,1) tensor.</summary>
    private static Tensor Combine(Tensor g, Tensor a, AttributionMethod method) => method switch
    {
        AttributionMethod.GradientXActivation => g * a,
        AttributionMethod.Gradient => g.shape.SequenceEqual(a.shape) ? g : g.expand(a.shape),
        AttributionMethod.AbsGradientXActivation => g.abs() * a,
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, null),
    };

    /// <summary>One score per sample, summed: S = Σ_b s_b.</summary>
    private static Tensor Score(Tensor logits, Tensor? target, AttributionTarget targetKind, bool targetValuesChecked)
    {
        switch (targetKind)
        {
            case AttributionTarget.TrueClass:
                CheckTarget(target, logits, targetValuesChecked);
                return logits.gather(1, target!.unsqueeze(1)).sum();
            case AttributionTarget.PredictedClass:
                return logits.gather(1, logits.argmax(1, keepdim: true)).sum();
            case AttributionTarget.SumOfLogits:
                return logits.sum();
            case AttributionTarget.SumOfLogProbabilities:
                return nn.functional.log_softmax(logits, 1).sum();
            default:
                throw new ArgumentOutOfRangeException(nameof(targetKind), targetKind, null);
        }
    }

    /// <summary>Checks the (B) int64 classes that <see cref="AttributionTarget.TrueClass"/> needs; the value range
    /// only when the caller has not (it reads the data, see <see cref="IndexRange"/>).</summary>
    private static void CheckTarget(Tensor? target, Tensor logits, bool valuesChecked)
    {
        if (target is null)
        {
            throw new ArgumentNullException(nameof(target),
                $"{nameof(AttributionTarget.TrueClass)} attribution needs the (B) int64 target classes.");
        }

        NotNull(target, nameof(target));
        Dtype(target, nameof(target), ScalarType.Int64);
        if (target.dim() != 1)
        {
            throw new ArgumentException(
                $"{nameof(target)} must have shape (B); got {Shape(target)}.", nameof(target));
        }

        Batch(target, nameof(target), logits.shape[0], nameof(logits));
        SameDevice(target, nameof(target), logits, nameof(logits));
        if (!valuesChecked)
        {
            IndexRange(target, nameof(target), logits.shape[1]);
        }
    }
}
