namespace PrivilegedAttribution;

public static partial class PalFunctional
{
    /// <summary>
    /// Attributions of several activations of one forward pass, from a single gradient call (cheaper than one
    /// <see cref="attribution_map"/> per layer).
    /// </summary>
    /// <param name="logits">(B,K) logits.</param>
    /// <param name="activations">(B,C_l,h_l,w_l) activations, each on the logits' path.</param>
    /// <param name="target">(B) int64 class indices, required for <see cref="AttributionTarget.TrueClass"/>.</param>
    /// <param name="method">How gradient and activation combine.</param>
    /// <param name="targetKind">Which score is differentiated.</param>
    /// <param name="names">Optional names of the activations (layer names) used in error messages.</param>
    /// <param name="secondOrder">Whether G keeps its graph (default, PAL's choice: a loss trains the weights through
    /// G) or is computed without <c>create_graph</c> and detached (first order: through A only, and cheaper).</param>
    /// <returns>One attribution per activation, each carrying a graph: (B,C_l,h_l,w_l) in the activation's dtype,
    /// (B,1,h_l,w_l) for <see cref="AttributionMethod.GradCam"/>.</returns>
    /// <exception cref="ArgumentException">A shape, dtype, device or graph does not fit (the message names the
    /// activation); or <see cref="AttributionMethod.Gradient"/> with <paramref name="secondOrder"/> false, whose
    /// result would carry no graph at all.</exception>
    public static Tensor[] attribution_maps(
        Tensor logits,
        IReadOnlyList<Tensor> activations,
        Tensor? target = null,
        AttributionMethod method = AttributionMethod.GradientXActivation,
        AttributionTarget targetKind = AttributionTarget.TrueClass,
        IReadOnlyList<string>? names = null,
        bool secondOrder = true)
    {
        CheckMethod(method, secondOrder, nameof(secondOrder));
        Logits(logits, nameof(logits));
        ArgumentNullException.ThrowIfNull(activations);
        if (activations.Count == 0)
        {
            throw new ArgumentException("At least one activation is needed.", nameof(activations));
        }

        if (names is not null && names.Count != activations.Count)
        {
            throw new ArgumentException(
                $"{nameof(names)} must name every activation: {activations.Count} activations, {names.Count} names.",
                nameof(names));
        }

        for (var i = 0; i < activations.Count; i++)
        {
            var name = names is null ? $"activations[{i}]" : $"activation of layer '{names[i]}'";
            ActivationOf(activations[i], name, logits, nameof(logits));
            HasGraph(activations[i], name);
        }

        HasGraph(logits, nameof(logits));
        if (targetKind == AttributionTarget.TrueClass && method != AttributionMethod.Activation)
        {
            CheckTarget(target, logits);
            IndexRange(target!, nameof(target), logits.shape[1]);
        }

        return AttributionMapsOfChecked(logits, activations, target, method, targetKind, names,
            secondOrder ? null : Enumerable.Repeat(false, activations.Count).ToArray());
    }

    /// <summary>
    /// The attribution of a layer's activation for the score selected by <paramref name="targetKind"/>, with the
    /// autograd graph kept so that a loss on it trains the weights through the gradient factor (second order), unless
    /// <paramref name="secondOrder"/> is false.
    /// </summary>
    /// <param name="logits">(B,K) logits computed from <paramref name="activation"/> with gradients enabled.</param>
    /// <param name="activation">(B,C,h,w) activation of an intermediate layer (or the input image, with
    /// <c>requires_grad</c> set).</param>
    /// <param name="target">(B) int64 class indices; required for <see cref="AttributionTarget.TrueClass"/>,
    /// ignored otherwise (and by <see cref="AttributionMethod.Activation"/>).</param>
    /// <param name="method">How gradient and activation combine.</param>
    /// <param name="targetKind">Which score is differentiated.</param>
    /// <param name="secondOrder">Whether G keeps its graph (default: PAL trains the weights through G) or is
    /// computed without <c>create_graph</c> and detached, so that a loss on the result reaches the weights through
    /// the activation only (first order, cheaper: no double backward). Ignored by
    /// <see cref="AttributionMethod.Activation"/>, which computes no gradient.</param>
    /// <returns>(B,C,h,w) attribution in the activation's dtype, carrying a graph; (B,1,h,w) for
    /// <see cref="AttributionMethod.GradCam"/>.</returns>
    /// <example><code>
    /// // Grad-CAM computed as the XIL typology's losses compute it: G without create_graph.
    /// var map = PalFunctional.attribution_map(logits, activation, labels, AttributionMethod.GradCam,
    ///     secondOrder: false);
    /// </code></example>
    /// <remarks>The score is summed over the batch, so in training mode BatchNorm's batch statistics couple the
    /// samples' gradients exactly as in the training loss; call <c>model.eval()</c> first for per-sample maps.
    /// </remarks>
    public static Tensor attribution_map(
        Tensor logits,
        Tensor activation,
        Tensor? target = null,
        AttributionMethod method = AttributionMethod.GradientXActivation,
        AttributionTarget targetKind = AttributionTarget.TrueClass,
        bool secondOrder = true)
    {
        NotNull(activation, nameof(activation));
        return attribution_maps(logits, [activation], target, method, targetKind, secondOrder: secondOrder)[0];
    }

    /// <summary>The attributions of <see cref="attribution_maps"/> for arguments already checked (shapes, graphs,
    /// the target's shape and range, the method against the order): no check and no host read.
    /// <paramref name="secondOrder"/> says per activation whether its G keeps its graph (null: all do).</summary>
    internal static Tensor[] AttributionMapsOfChecked(
        Tensor logits,
        IReadOnlyList<Tensor> activations,
        Tensor? target,
        AttributionMethod method,
        AttributionTarget targetKind,
        IReadOnlyList<string>? names,
        IReadOnlyList<bool>? secondOrder = null)
    {
        using var scope = NewDisposeScope();
        var result = new Tensor[activations.Count];
        if (method == AttributionMethod.Activation)
        {
            // No gradient at all: the maps are the activations (new handles, so that the caller's stay its own).
            for (var i = 0; i < activations.Count; i++)
            {
                result[i] = activations[i].alias();
            }

            scope.MoveToOuter(result);
            return result;
        }

        var score = Score(logits, target, targetKind);
        // create_graph makes G differentiable (PAL trains the weights through G), and is skipped when no activation
        // needs it (first order: no double backward); retain_graph keeps the forward graph for the criterion's
        // backward that follows. TorchSharp defaults retain_graph to false.
        var anySecondOrder = secondOrder is null || secondOrder.Any(s => s);
        var gradients = autograd.grad(
            [score], activations.ToList(), retain_graph: true, create_graph: anySecondOrder, allow_unused: true);
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

            // A first-order activation beside second-order ones: its G came with a graph, which it drops.
            var factor = secondOrder is null || secondOrder[i] ? g : g.detach();
            result[i] = Combine(factor, activations[i], method);
        }

        scope.MoveToOuter(result);
        return result;
    }

    /// <summary><see cref="AttributionMethod.Gradient"/> without the second order is G detached: no graph, nothing
    /// for a loss to train.</summary>
    internal static void CheckMethod(AttributionMethod method, bool secondOrder, string name)
    {
        if (!Enum.IsDefined(method))
        {
            throw new ArgumentOutOfRangeException(nameof(method), method,
                $"{method} is not an {nameof(AttributionMethod)}.");
        }

        if (method == AttributionMethod.Gradient && !secondOrder)
        {
            throw new ArgumentException(
                $"{nameof(AttributionMethod)}.{nameof(AttributionMethod.Gradient)} with {name} = false is the " +
                "gradient with its graph removed: a loss on it could not reach the weights. Keep the second order, " +
                $"or choose a method that also trains through the activation ({nameof(AttributionMethod.GradCam)}, " +
                $"{nameof(AttributionMethod.GradientXActivation)}).", name);
        }
    }

    /// <summary>An attribution needs the autograd graph from the activation to the logits.</summary>
    internal static void HasGraph(Tensor t, string name)
    {
        if (!t.requires_grad)
        {
            throw new ArgumentException(
                $"{name} carries no autograd graph: run the forward pass with gradients enabled (not under " +
                "torch.no_grad()), and let the logits be computed from this activation.", name);
        }
    }

    /// <summary>G ⊙ A, G, |G| ⊙ A, Grad-CAM's Σ_c mean_ij(G_c)·A_c (B,1,h,w), or A; G may be a broadcastable
    /// (B,C,1,1) tensor.</summary>
    private static Tensor Combine(Tensor g, Tensor a, AttributionMethod method) => method switch
    {
        AttributionMethod.GradientXActivation => g * a,
        AttributionMethod.Gradient => g.shape.SequenceEqual(a.shape) ? g : g.expand(a.shape),
        AttributionMethod.AbsGradientXActivation => g.abs() * a,
        AttributionMethod.GradCam => (g.mean([2, 3], keepdim: true) * a).sum(1, keepdim: true),
        AttributionMethod.Activation => a.alias(),
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, null),
    };

    /// <summary>One score per sample, summed: S = Σ_b s_b.</summary>
    private static Tensor Score(Tensor logits, Tensor? target, AttributionTarget targetKind) => targetKind switch
    {
        AttributionTarget.TrueClass => logits.gather(1, target!.unsqueeze(1)).sum(),
        AttributionTarget.PredictedClass => logits.gather(1, logits.argmax(1, keepdim: true)).sum(),
        AttributionTarget.SumOfLogits => logits.sum(),
        AttributionTarget.SumOfLogProbabilities => nn.functional.log_softmax(logits, 1).sum(),
        _ => throw new ArgumentOutOfRangeException(nameof(targetKind), targetKind, null),
    };

    /// <summary>Checks the shape, dtype and device of the (B) int64 classes that
    /// <see cref="AttributionTarget.TrueClass"/> needs (not their range: see <see cref="IndexRange"/>).</summary>
    internal static void CheckTarget(Tensor? target, Tensor logits, string name = "target")
    {
        if (target is null)
        {
            throw new ArgumentNullException(name,
                $"{nameof(AttributionTarget.TrueClass)} attribution needs the (B) int64 target classes.");
        }

        NotNull(target, name);
        Dtype(target, name, ScalarType.Int64);
        if (target.dim() != 1)
        {
            throw new ArgumentException($"{name} must have shape (B); got {Shape(target)}.", name);
        }

        Batch(target, name, logits.shape[0], "logits");
        SameDevice(target, name, logits, "logits");
    }
}
