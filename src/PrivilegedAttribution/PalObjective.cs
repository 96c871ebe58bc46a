using TorchSharp.Modules;

namespace PrivilegedAttribution;

/// <summary>
/// The whole PAL training objective in one call: the loop's criterion (cross-entropy unless given) + Σ_l λ_l·PAL_l
/// over any number of layers, each with its own weight, channel strategy and normalisation, with heatmaps rendered at
/// each layer's size.
/// </summary>
/// <remarks>
/// <para><b>What changes in an existing loop.</b> Build the objective once, after the model (one statement; dispose
/// it to remove its hooks). In the step, replace <c>var output = model.call(images); var loss = criterion.call(output,
/// labels);</c> by <c>var output = objective.Compute(images, labels, landmarks); var loss = output.Total;</c> (use
/// <c>output.Logits</c> where the loop used the model's output). Landmarks travel with the batch as a third tensor:
/// a data loader that yields <c>(data, target)</c> yields <c>(data, target, landmarks)</c> for training, and the
/// evaluation loop stays as it is. <c>backward()</c>, the optimiser and the scheduler do not change.</para>
/// <para><b>Layers.</b> A layer is tapped with a forward hook, which fires when a module is run with <c>call(x)</c>.
/// A model whose <c>forward</c> runs a child with <c>child.forward(x)</c> bypasses the hook: the objective detects it
/// and names the parent to change; or build the objective with the hook-free constructor, whose function returns
/// the logits and the activations itself (as timm's <c>forward_intermediates</c> does).
/// <see cref="PalLayer.Input"/> attributes at the images themselves.</para>
/// <para><b>Criterion.</b> Any <c>nn.Module&lt;Tensor, Tensor, Tensor&gt;</c> of (model output, labels) → scalar:
/// TorchSharp's losses (<c>nn.CrossEntropyLoss(weight: classWeights)</c>, <c>nn.NLLLoss()</c>) or the user's own
/// (label smoothing through <c>nn.functional.cross_entropy(…, label_smoothing: 0.1)</c>, a focal loss). The
/// attribution differentiates the true class's output (<see cref="AttributionTarget.TrueClass"/>): for a model whose
/// output is log-probabilities (with <c>NLLLoss</c>) that is log p_y = z_y − logsumexp(z), the score RRR uses, not the
/// raw logit. With <see cref="AttributionTarget.TrueClass"/> every label must be a class index in [0, K).</para>
/// <para><b>Dispose scopes.</b> Run each step inside <c>torch.NewDisposeScope()</c>: the objective's tensors (the
/// double-backward graph among them) are then freed at the end of the step. <see cref="Compute"/> outside any scope
/// works, but leaves every tensor to the .NET finaliser, which runs too rarely for native memory (gigabytes in tens
/// of steps), so the first such call of each objective prints a warning on standard error. It warns rather than
/// throws because a one-off call (evaluation, a notebook) outside a scope is legitimate.</para>
/// <para><b>Checks.</b> Arguments are checked once, where they enter. The checks that read values (labels in range,
/// the prior's rules for the privileged information, finite attributions and heatmaps, and with
/// <see cref="GuardNonFinite"/> finite losses) are folded into one bool tensor read once per step — for tensors in
/// host memory always, on an accelerator only with <see cref="GuardNonFinite"/>, since a read waits for the device.
/// </para>
/// <para>Start each step with <c>model.zero_grad()</c>, which drops the gradients, rather than TorchSharp's
/// <c>optimizer.zero_grad()</c>, which zeroes them in place and keeps them allocated through the next forward.</para>
/// </remarks>
/// <example><code>
/// using var objective = new PalObjective(model, [new PalLayer("layer3", 0.5)], new HeatmapPrior(112, 112, 6),
///     criterion: nn.CrossEntropyLoss(weight: classWeights));
/// for (var epoch = 0; epoch &lt; epochs; epoch++) {
///     objective.SetWeight("layer3", Math.Min(1.0, epoch / 5.0) * 0.5);   // a warm-up of λ
///     foreach (var (images, labels, landmarks) in batches) {
///         using var step = torch.NewDisposeScope();
///         model.zero_grad();
///         var output = objective.Compute(images, labels, landmarks);
///         output.Total.backward();
///         optimizer.step();
///     }
/// }
/// </code></example>
public sealed class PalObjective : IDisposable
{
    private readonly nn.Module<Tensor, Tensor>? _model;
    private readonly Func<Tensor, (Tensor Logits, IReadOnlyList<Tensor> Activations)>? _forward;
    private readonly PalTerm[] _terms;
    private bool _headsVerified;
    private bool _warnedOutsideScope;

    /// <summary>Taps every layer of <paramref name="layers"/> in <paramref name="model"/>; dispose the objective
    /// to remove the hooks.</summary>
    /// <param name="model">Any TorchSharp classifier returning (B,K) outputs (logits, or log-probabilities for a
    /// criterion that takes them).</param>
    /// <param name="layers">The PAL terms; layer names must be distinct.</param>
    /// <param name="prior">Renders the heatmaps from the batch's privileged information: landmarks
    /// (<see cref="HeatmapPrior"/>, whose image size must match the images'), a mask (<see cref="MaskHeatmapPrior"/>),
    /// each class's action units (<see cref="ActionUnitPrior"/>, or any <see cref="IClassConditionalPrior"/>, rendered
    /// with the batch's labels) or a user's own <see cref="IHeatmapPrior"/>.</param>
    /// <param name="method">How gradient and activation combine.</param>
    /// <param name="target">Which score is differentiated.</param>
    /// <param name="cloneOutputs">See <see cref="LayerTap(nn.Module, string, bool)"/>.</param>
    /// <param name="criterion">The loop's own loss of (model output, labels) → scalar; cross-entropy when null.
    /// </param>
    public PalObjective(
        nn.Module<Tensor, Tensor> model,
        IEnumerable<PalLayer> layers,
        IHeatmapPrior prior,
        AttributionMethod method = AttributionMethod.GradientXActivation,
        AttributionTarget target = AttributionTarget.TrueClass,
        bool cloneOutputs = true,
        nn.Module<Tensor, Tensor, Tensor>? criterion = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var checkedLayers = CheckLayers(layers, prior, method);
        _model = model;
        (Prior, Method, Target, Criterion) = (prior, method, target, criterion);
        var terms = new List<PalTerm>();
        try
        {
            foreach (var layer in checkedLayers)
            {
                var head = layer.Head is null ? null : FindLinear(model, layer);
                var tap = layer.IsInput ? null : new LayerTap(model, layer.Name, cloneOutputs);
                terms.Add(new PalTerm(layer, tap, head));
            }
        }
        catch
        {
            terms.ForEach(t => t.Tap?.Dispose());
            throw;
        }

        _terms = terms.ToArray();
    }

    /// <summary>The hook-free objective, for models whose layers cannot be tapped (children run with
    /// <c>.forward()</c>, a model one cannot edit) or that return their features anyway.</summary>
    /// <param name="forward">Runs the model on the images it is given and returns the (B,K) outputs and one
    /// (B,C,h,w) activation per layer of <paramref name="layers"/> that is not <see cref="PalLayer.Input"/>, in
    /// their order, each computed on the way to the outputs (with its graph).</param>
    /// <param name="layers">The PAL terms; their names label the activations. No <see cref="PalLayer.Head"/> or
    /// <see cref="LayerGrid.FromModel"/> (there is no model to read them from): declare a grid if needed.</param>
    /// <param name="prior">See the other constructor.</param>
    /// <param name="method">How gradient and activation combine.</param>
    /// <param name="target">Which score is differentiated.</param>
    /// <param name="criterion">The loop's own loss; cross-entropy when null.</param>
    /// <example><code>
    /// // A model written as in TorchSharp's examples: conv2 runs with .forward(), so it cannot be hooked.
    /// using var objective = new PalObjective(forward: x =&gt; {
    ///         var features = model.features(x);              // the user's own method returning conv2's output
    ///         return (model.head(features), [features]);
    ///     }, [new PalLayer("conv2", 1.0)], new HeatmapPrior(28, 28, 2));
    /// </code></example>
    public PalObjective(
        Func<Tensor, (Tensor Logits, IReadOnlyList<Tensor> Activations)> forward,
        IEnumerable<PalLayer> layers,
        IHeatmapPrior prior,
        AttributionMethod method = AttributionMethod.GradientXActivation,
        AttributionTarget target = AttributionTarget.TrueClass,
        nn.Module<Tensor, Tensor, Tensor>? criterion = null)
    {
        ArgumentNullException.ThrowIfNull(forward);
        var checkedLayers = CheckLayers(layers, prior, method);
        foreach (var layer in checkedLayers)
        {
            if (layer.Head is not null || layer.Grid is { IsDerivedFromModel: true })
            {
                var asked = layer.Head is not null ? "a closed-form Head" : "LayerGrid.FromModel";
                throw new ArgumentException(
                    $"Layer '{layer.Name}' asks for {asked}, which needs the model's layers; a hook-free objective " +
                    "has only its forward function. Remove it (or declare the grid with new LayerGrid(stride, " +
                    "offset)).", nameof(layers));
            }
        }

        _forward = forward;
        (Prior, Method, Target, Criterion) = (prior, method, target, criterion);
        _terms = checkedLayers.Select(l => new PalTerm(l, null, null)).ToArray();
    }

    /// <summary>The PAL terms, with their current weights.</summary>
    public IReadOnlyList<PalLayer> Layers => _terms.Select(t => t.Layer).ToArray();

    /// <summary>The heatmap prior.</summary>
    public IHeatmapPrior Prior { get; }

    /// <summary>How gradient and activation combine.</summary>
    public AttributionMethod Method { get; }

    /// <summary>Which score is differentiated.</summary>
    public AttributionTarget Target { get; }

    /// <summary>The loop's criterion; null for cross-entropy.</summary>
    public nn.Module<Tensor, Tensor, Tensor>? Criterion { get; }

    /// <summary>
    /// When true, <see cref="Compute"/> also checks every step that the criterion and each PAL term are finite (else
    /// <see cref="NonFiniteLossException"/>), and, for tensors on an accelerator, makes the step's value checks (see
    /// the remarks) at all. Off by default: on an accelerator the read waits for the step's forward pass. In host
    /// memory the value checks always run, with the same one read per step, so a NaN from the model is reported with
    /// its layer and sample whether or not the guard is on.
    /// </summary>
    public bool GuardNonFinite { get; set; }

    /// <summary>Changes a term's weight λ, for the next <see cref="Compute"/> (warm-ups, decays, schedules).
    /// </summary>
    /// <param name="layer">The term's layer name, as given in its <see cref="PalLayer"/>.</param>
    /// <param name="weight">The new λ (finite; 0 keeps the term's value in the output but out of the total's
    /// gradient).</param>
    /// <exception cref="ArgumentException">No term has that name (the message lists them), or the weight is not
    /// finite.</exception>
    public void SetWeight(string layer, double weight)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var term = _terms.FirstOrDefault(t => t.Name == layer) ?? throw new ArgumentException(
            $"The objective has no PAL term for layer '{layer}'; its layers: " +
            $"{string.Join(", ", _terms.Select(t => $"'{t.Name}'"))}.", nameof(layer));
        if (!double.IsFinite(weight))
        {
            throw new ArgumentException($"The weight of layer '{layer}' must be finite; got {weight}.", nameof(weight));
        }

        term.Layer = term.Layer with { Weight = weight };
    }

    /// <summary>Runs the model on a batch and returns the criterion, each layer's PAL term and the total.</summary>
    /// <param name="images">(B,…,H,W) inputs (for a <see cref="HeatmapPrior"/>, H×W is its image size).</param>
    /// <param name="labels">(B) int64 classes.</param>
    /// <param name="privileged">What the prior renders, on the images' device: (B,K,2) landmarks in input pixels
    /// for a <see cref="HeatmapPrior"/>, a (B,1,H,W) mask for a <see cref="MaskHeatmapPrior"/>.</param>
    /// <param name="visible">Optional (B,K) bool visibility mask of the landmarks.</param>
    public PalObjectiveOutput Compute(Tensor images, Tensor labels, Tensor privileged, Tensor? visible = null)
    {
        WarnOutsideDisposeScope();
        CheckBatch(images, labels, privileged, visible);
        var (input, logits, activations) = Forward(images);
        var classes = logits.shape[1];
        if (Prior is IClassConditionalPrior { ClassCount: var priorClasses } && priorClasses != classes)
        {
            throw new InvalidOperationException(
                $"The prior ({Prior.GetType().Name}) knows {priorClasses} classes but the model has {classes} " +
                "outputs: give the prior the class order of the model's labels.");
        }

        var flags = new List<Tensor>();
        var checksOnHost = images.device_type == DeviceType.CPU;
        var readFlags = checksOnHost || GuardNonFinite;

        // Out-of-range labels would stop the criterion or the attribution's gather with LibTorch's own error before
        // the step's one read: both see the labels clamped, and the read reports the real ones.
        var labelsChecked = Criterion is null || Target == AttributionTarget.TrueClass ||
                            Prior is IClassConditionalPrior;
        var safeLabels = labels;
        if (labelsChecked && readFlags)
        {
            flags.Add((labels.AtLeast(0) & labels.Below(classes)).all());
            safeLabels = labels.Clamped(0, classes - 1);
        }

        var criterion = Criterion is null ? nn.functional.cross_entropy(logits, safeLabels) : RunCriterion(logits,
            safeLabels);
        var attributions = Attributions(logits, input, activations, safeLabels);
        var heatmaps = Heatmaps(attributions, images, privileged, visible, safeLabels);
        var terms = new PalLayerTerm[_terms.Length];
        var total = criterion;
        for (var i = 0; i < _terms.Length; i++)
        {
            var layer = _terms[i].Layer;
            var pal = PalFunctional.PalLossOfChecked(attributions[i], heatmaps[i], layer.Strategy,
                layer.Normalization, nn.Reduction.Mean, 1e-12);
            terms[i] = new PalLayerTerm(layer, pal);
            total = total.Plus(pal.Times(layer.Weight));
        }

        var output = new PalObjectiveOutput(logits, criterion, terms, total);
        if (readFlags)
        {
            CheckValues(flags, output, attributions, heatmaps, labels, classes, privileged, visible);
        }

        return output;
    }

    /// <summary>Removes the hooks.</summary>
    public void Dispose()
    {
        foreach (var term in _terms)
        {
            term.Tap?.Dispose();
        }
    }

    private static PalLayer[] CheckLayers(IEnumerable<PalLayer> layers, IHeatmapPrior prior, AttributionMethod method)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(prior);
        var result = layers.ToArray();
        if (result.Length == 0)
        {
            throw new ArgumentException("At least one PAL layer is needed.", nameof(layers));
        }

        foreach (var layer in result)
        {
            ArgumentNullException.ThrowIfNull(layer, nameof(layers));
            if (!double.IsFinite(layer.Weight))
            {
                throw new ArgumentException($"The weight of layer '{layer.Name}' must be finite; got {layer.Weight}.",
                    nameof(layers));
            }

            if (layer.IsInput && layer.Head is not null)
            {
                throw new ArgumentException("PalLayer.Input cannot have a Head: the input is not pooled into a " +
                    "linear layer.", nameof(layers));
            }

            AttributionVariantRules.Check(layer, method, nameof(layers));
        }

        var duplicate = result.GroupBy(l => l.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Layer '{duplicate.Key}' is listed twice.", nameof(layers));
        }

        return result;
    }

    private void WarnOutsideDisposeScope()
    {
        if (_warnedOutsideScope || CurrentDisposeScope is not null)
        {
            return;
        }

        _warnedOutsideScope = true;
        Console.Error.WriteLine(
            "PrivilegedAttribution: PalObjective.Compute ran outside a dispose scope, so every tensor of the step " +
            "(PAL's double-backward graph among them) waits for the .NET finaliser, which runs too rarely for native " +
            "memory: a training loop grows by gigabytes in tens of steps. Wrap each step in " +
            "`using var step = torch.NewDisposeScope();` (this warning is printed once per objective).");
    }

    /// <summary>Every argument check that needs no host read, once, where the batch enters.</summary>
    private void CheckBatch(Tensor images, Tensor labels, Tensor privileged, Tensor? visible)
    {
        NotNull(images, nameof(images));
        NotNull(labels, nameof(labels));
        NotNull(privileged, nameof(privileged));
        if (images.dim() < 3)
        {
            throw new ArgumentException($"{nameof(images)} must have shape (B,…,H,W); got {Shape(images)}.",
                nameof(images));
        }

        NonEmptyBatch(images, nameof(images));
        Dtype(labels, nameof(labels), ScalarType.Int64);
        Rank(labels, nameof(labels), 1, "(B)");
        Batch(labels, nameof(labels), images.shape[0], nameof(images));
        SameDevice(labels, nameof(labels), images, nameof(images));
        if (_terms.Any(t => t.Layer.IsInput))
        {
            Floating(images, nameof(images) + " (attributed at PalLayer.Input)");
        }

        Prior.CheckBatch(images, privileged, visible);
    }

    /// <summary>The model's outputs and every non-input term's activation, in term order (null for the input).
    /// </summary>
    private (Tensor Input, Tensor Logits, Tensor?[] Activations) Forward(Tensor images)
    {
        // The input as a leaf that requires grad, when a term attributes at it: a new handle, the caller's images
        // keep their flags.
        var input = _terms.Any(t => t.Layer.IsInput) && !images.requires_grad
            ? images.detach().requires_grad_(true)
            : images;
        var activations = new Tensor?[_terms.Length];
        Tensor logits;
        if (_forward is not null)
        {
            var (outputs, returned) = _forward(input);
            NotNull(outputs, "forward's logits");
            ArgumentNullException.ThrowIfNull(returned, "forward's activations");
            var expected = _terms.Count(t => !t.Layer.IsInput);
            if (returned.Count != expected)
            {
                var names = string.Join(", ", _terms.Where(t => !t.Layer.IsInput).Select(t => $"'{t.Name}'"));
                throw new InvalidOperationException(
                    $"The forward function returned {returned.Count} activations for the {expected} layers that are " +
                    $"not PalLayer.Input ({names}): return one per layer, in their order.");
            }

            var next = 0;
            for (var i = 0; i < _terms.Length; i++)
            {
                activations[i] = _terms[i].Layer.IsInput ? null : returned[next++];
            }

            logits = outputs;
        }
        else
        {
            foreach (var term in _terms)
            {
                term.Tap?.Clear(); // a layer that does not run in this pass must not lend an older activation
            }

            logits = _model!.call(input);
            NotNull(logits, "model output");
            for (var i = 0; i < _terms.Length; i++)
            {
                if (_terms[i].Tap is { } tap)
                {
                    activations[i] = tap.HasActivation ? tap.TakeActivation() : throw NotRun(_terms[i], logits);
                }
            }
        }

        Floating(logits, "model output");
        Rank(logits, "model output", 2, "(B,K) logits");
        Batch(logits, "model output", images.shape[0], nameof(images));
        for (var i = 0; i < _terms.Length; i++)
        {
            var activation = activations[i] ?? input;
            var description = _terms[i].Description;
            NotNull(activation, description);
            ActivationOf(activation, description, logits, "model output");
            PalFunctional.HasGraph(activation, description);
            PalFunctional.SpatialExtent(activation, description);
        }

        return (input, logits, activations);
    }

    /// <summary>Why a tapped layer has no activation after the model ran. A layer whose parameters reach the
    /// outputs ran, so its hook was bypassed: its parent called it with <c>.forward(x)</c>.</summary>
    private Exception NotRun(PalTerm term, Tensor logits)
    {
        var name = term.Name;
        var parent = name.Contains('.')
            ? $"its parent module '{name[..name.LastIndexOf('.')]}'"
            : $"the model's own forward ({_model!.GetType().Name}.forward)";
        var child = name[(name.LastIndexOf('.') + 1)..];
        var advice = $"Change that line to `{child}.call(x)`, or build the objective with the hook-free constructor " +
                     "`new PalObjective(forward: x => (logits, [activation]), layers, prior)` so the model need not " +
                     "change.";
        if (RanWithoutHook(term.Tap!.Layer, logits))
        {
            return new InvalidOperationException(
                $"Layer '{name}' ran in the forward pass (its parameters reach the model's output) but its forward " +
                $"hook did not fire: {parent} runs it with `.forward(x)`, which bypasses TorchSharp's hooks. {advice}");
        }

        return new InvalidOperationException(
            $"Layer '{name}' did not run in the last forward pass (its hook did not fire), so it has no activation " +
            $"to attribute. Either {parent} runs it with `.forward(x)`, which bypasses TorchSharp's hooks " +
            $"({advice}), " +
            "or the model's forward never calls it (a layer that is defined but unused, or skipped on this input: " +
            $"tap one on the path from the input to the output; named_modules() lists them all, used or not).");
    }

    /// <summary>Whether the outputs depend on the layer's parameters (read only to word an error).</summary>
    private static bool RanWithoutHook(nn.Module layer, Tensor logits)
    {
        var parameters = layer.parameters().Where(p => p.requires_grad).Cast<Tensor>().ToList();
        if (parameters.Count == 0 || !logits.requires_grad)
        {
            return false;
        }

        using var scope = NewDisposeScope();
        var gradients = autograd.grad([logits.sum()], parameters, retain_graph: true, allow_unused: true);
        return gradients.Any(g => g is not null && !g.IsInvalid && g.Handle != IntPtr.Zero);
    }

    private Tensor RunCriterion(Tensor logits, Tensor labels)
    {
        var value = Criterion!.call(logits, labels);
        NotNull(value, "criterion's value");
        if (value.numel() != 1 || !value.is_floating_point())
        {
            throw new InvalidOperationException(
                $"The criterion ({Criterion.GetType().Name}) must return a floating-point scalar, the batch's loss; " +
                $"it returned shape {Shape(value)} of {value.dtype} (a reduction of None?).");
        }

        return value.dim() == 0 ? value : value.reshape([]);
    }

    /// <summary>Every term's attribution: closed-form heads apart, one shared double-backward-ready gradient call.
    /// </summary>
    private Tensor[] Attributions(Tensor logits, Tensor input, Tensor?[] activations, Tensor labels)
    {
        var result = new Tensor[_terms.Length];
        var viaAutograd = Enumerable.Range(0, _terms.Length).Where(i => _terms[i].Head is null).ToArray();
        if (viaAutograd.Length > 0)
        {
            var maps = PalFunctional.AttributionMapsOfChecked(logits,
                viaAutograd.Select(i => activations[i] ?? input).ToArray(), labels, Method, Target,
                viaAutograd.Select(i => _terms[i].Name).ToArray(),
                viaAutograd.Select(i => _terms[i].Layer.SecondOrder).ToArray());
            for (var j = 0; j < viaAutograd.Length; j++)
            {
                result[viaAutograd[j]] = maps[j];
            }
        }

        for (var i = 0; i < _terms.Length; i++)
        {
            if (_terms[i].Head is not { } linear)
            {
                continue;
            }

            if (!_headsVerified)
            {
                VerifyHead(_terms[i].Layer, linear, logits, activations[i]!);
            }

            result[i] = PalFunctional.GlobalPoolLinearAttributionOfChecked(logits, activations[i]!, linear.weight!,
                labels, Method, Target, _terms[i].Layer.SecondOrder);
        }

        _headsVerified = true;
        return result;
    }

    /// <summary>Each term's heatmap in its attribution's dtype, rendered once per distinct size and grid.</summary>
    private Tensor[] Heatmaps(Tensor[] attributions, Tensor images, Tensor privileged, Tensor? visible, Tensor labels)
    {
        var rendered = new Dictionary<(long, long, LayerGrid?), Tensor>();
        var result = new Tensor[_terms.Length];
        for (var i = 0; i < _terms.Length; i++)
        {
            var (h, w) = (attributions[i].shape[2], attributions[i].shape[3]);
            var grid = ResolveGrid(_terms[i], images);
            if (!rendered.TryGetValue((h, w, grid), out var heatmap))
            {
                heatmap = Prior switch
                {
                    IValueCheckedPrior ours => ours.RenderOfChecked(privileged, labels, h, w, grid, visible),
                    IClassConditionalPrior byClass => grid is null
                        ? byClass.render(privileged, labels, h, w, visible)
                        : byClass.render(privileged, labels, grid, h, w, visible),
                    _ => grid is null ? Prior.render(privileged, h, w, visible) : Prior.render(privileged, grid, h, w,
                        visible),
                };
                NotNull(heatmap, "prior's heatmap");
                var expected = new[] { images.shape[0], 1, h, w };
                if (!heatmap.shape.SequenceEqual(expected) || !heatmap.is_floating_point())
                {
                    throw new InvalidOperationException(
                        $"The prior ({Prior.GetType().Name}) must render a floating-point map of shape " +
                        $"[{string.Join(", ", expected)}]; it returned {Shape(heatmap)} of {heatmap.dtype}.");
                }

                SameDevice(heatmap, "prior's heatmap", images, nameof(images));
                rendered[(h, w, grid)] = heatmap;
            }

            result[i] = heatmap.to(attributions[i].dtype);
        }

        return result;
    }

    /// <summary>The term's grid: its declared one, or, for <see cref="LayerGrid.FromModel"/>, the one derived from
    /// the model on the first batch (the input's own grid is the identity).</summary>
    private LayerGrid? ResolveGrid(PalTerm term, Tensor images)
    {
        if (term.Grid is not { IsDerivedFromModel: true })
        {
            return term.Grid;
        }

        term.Grid = term.Layer.IsInput
            ? new LayerGrid(1, 0)
            : ReceptiveFieldProbe.Grid(_model!, term.Name, images);
        foreach (var other in _terms)
        {
            other.Tap?.Clear(); // the probe's forward pass fired the taps too
        }

        return term.Grid;
    }

    /// <summary>The step's value checks in one host read; on failure the details, with more reads, and the error
    /// each check gives on its own.</summary>
    private void CheckValues(List<Tensor> flags, PalObjectiveOutput output, Tensor[] attributions, Tensor[] heatmaps,
        Tensor labels, long classes, Tensor privileged, Tensor? visible)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var labelFlags = flags.Count;
        flags.Add(Prior.Violations(privileged, visible).logical_not().all());
        flags.AddRange(attributions.Select(a => isfinite(a).all()));
        flags.AddRange(heatmaps.Select(h => isfinite(h).all()));
        var losses = GuardNonFinite
            ? stack(new[] { output.Criterion }.Concat(output.Terms.Select(t => t.Loss)).Append(output.Total)
                .Select(l => l.detach().to(ScalarType.Float32)).ToArray())
            : null;
        if (losses is not null)
        {
            flags.Add(isfinite(losses).all());
        }

        var passed = HostReads.Flags(stack(flags.Select(f => f.reshape(1)).ToArray()).squeeze(1));
        if (passed.All(p => p))
        {
            return;
        }

        var next = 0;
        if (labelFlags == 1 && !passed[next++])
        {
            IndexRange(labels.cpu(), nameof(labels), classes);
        }

        if (!passed[next++])
        {
            // The prior's own checks, with their messages, as for a direct call.
            Prior.render(privileged.cpu(), 2, 2, visible?.cpu());
            throw new ArgumentException(
                "The privileged information breaks the prior's rules (IHeatmapPrior.Violations).", nameof(privileged));
        }

        for (var i = 0; i < attributions.Length; i++, next++)
        {
            if (!passed[next])
            {
                FiniteValues(attributions[i].cpu(), _terms[i].Description, "images",
                    PalFunctional.NonFiniteAttributionHint);
            }
        }

        for (var i = 0; i < heatmaps.Length; i++, next++)
        {
            if (!passed[next])
            {
                FiniteValues(heatmaps[i].cpu(), $"the prior's heatmap for layer '{_terms[i].Name}'", "privileged",
                    null);
            }
        }

        var values = losses!.cpu().data<float>().ToArray();
        var names = new[] { Criterion is null ? "cross-entropy" : "criterion" }
            .Concat(_terms.Select(t => $"PAL at '{t.Name}'")).Append("total");
        throw new NonFiniteLossException(names.Zip(values).ToDictionary(p => p.First, p => (double)p.Second));
    }

    private static Linear FindLinear(nn.Module model, PalLayer layer)
    {
        var name = layer.Head!.LinearLayerName;
        var module = NamedModules.Find(model, name);
        return module switch
        {
            Linear { weight: not null } linear => linear,
            null => throw new ArgumentException(
                $"Layer '{layer.Name}' declares the head {layer.Head}, but the model has no layer named '{name}'.",
                "layers"),
            _ => throw new ArgumentException(
                $"Layer '{layer.Name}' declares the head {layer.Head}, but '{name}' is a {module.GetType().Name}, " +
                "not a Linear layer with a weight.", "layers"),
        };
    }

    /// <summary>The closed form is only right if the logits really are linear(mean over space of the activation).
    /// The package cannot read that from the model's code, so the first batch checks it on the values (one host
    /// read, once per objective) instead of silently training with a wrong gradient.</summary>
    private static void VerifyHead(PalLayer layer, Linear linear, Tensor logits, Tensor activation)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        if (activation.shape[1] != linear.weight!.shape[1])
        {
            throw new InvalidOperationException(
                $"Layer '{layer.Name}' declares the head {layer.Head}, but its output {Shape(activation)} does not " +
                $"have the {linear.weight!.shape[1]} channels the linear layer reads.");
        }

        var pooled = activation.mean([2, 3]).to(linear.weight.dtype);
        var expected = nn.functional.linear(pooled, linear.weight, linear.bias).to(logits.dtype);
        var difference = (expected - logits).abs().max().to(ScalarType.Float64).item<double>();
        var scale = 1.0 + logits.abs().max().to(ScalarType.Float64).item<double>();
        var tolerance = logits.dtype switch
        {
            ScalarType.Float64 => 1e-9,
            ScalarType.Float32 => 1e-4,
            _ => 5e-2,
        };
        if (!(difference <= tolerance * scale))
        {
            throw new InvalidOperationException(
                $"Layer '{layer.Name}' declares the head {layer.Head}, but the logits are not " +
                $"{layer.Head!.LinearLayerName}(mean over space of the layer's output): they differ by " +
                $"{difference:G3} (something else lies between the layer and the logits, such as an activation or " +
                "dropout). Remove the Head from the PalLayer to use the general autograd path.");
        }
    }
}
