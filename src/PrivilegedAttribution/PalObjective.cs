using TorchSharp.Modules;

namespace PrivilegedAttribution;

/// <summary>
/// The whole PAL training objective in one call: cross-entropy + Σ_l λ_l·PAL_l over any number of tapped layers,
/// each with its own weight, channel strategy and normalisation, with heatmaps rendered at each layer's size.
/// </summary>
/// <remarks>
/// Cost: the layers' attributions come from one gradient call with create_graph, and the total's backward then
/// differentiates everything after the deepest tapped layer twice (a PAL step at ResNet-18's <c>layer3</c> costs
/// 1.24–1.33× a plain step on an AVX2 CPU with freed memory kept, see the README's benchmarks). A layer that reaches
/// the logits only through global average pooling and a linear layer (ResNet's <c>layer4</c>) can declare it with
/// <see cref="PalLayer.Head"/>: its attribution is then computed in closed form, with no double backward. The labels'
/// range is checked once per batch (a host read, free on a CPU; skipped on accelerators). Start each step with
/// <c>model.zero_grad()</c>, which drops the gradients, rather than TorchSharp's <c>optimizer.zero_grad()</c>, which
/// zeroes them in place: kept gradients stay allocated through the forward, and the second-order weight gradients of
/// the layers above a tapped one wait beside them until the cross-entropy's arrive (ResNet-18, batch 16, 112×112:
/// peak 97 MiB instead of 139 above the step's start; both train identically when every parameter gets a gradient).
/// </remarks>
/// <example><code>
/// using var objective = new PalObjective(model, [new PalLayer("layer3", 0.5)], new HeatmapPrior(112, 112, 6));
/// using (var step = torch.NewDisposeScope()) {
///     model.zero_grad(); // drops the gradients (optimizer.zero_grad() keeps them allocated: see the remarks)
///     var output = objective.Compute(images, labels, landmarks);
///     output.Total.backward();
///     optimizer.step();
/// }
/// </code></example>
public sealed class PalObjective : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly TappedLayer[] _tapped;
    private bool _headsVerified;

    /// <summary>Taps every layer of <paramref name="layers"/> in <paramref name="model"/>; dispose the objective
    /// to remove the hooks.</summary>
    /// <param name="model">Any TorchSharp classifier returning (B,K) logits.</param>
    /// <param name="layers">The PAL terms; layer names must be distinct.</param>
    /// <param name="prior">Renders the heatmaps from the batch's privileged information: landmarks
    /// (<see cref="HeatmapPrior"/>, whose image size must match the images'), a mask (<see cref="MaskHeatmapPrior"/>)
    /// or a user's own <see cref="IHeatmapPrior"/>.</param>
    /// <param name="method">How gradient and activation combine.</param>
    /// <param name="target">Which score is differentiated.</param>
    /// <param name="cloneOutputs">See <see cref="LayerTap(nn.Module, string, bool)"/>.</param>
    public PalObjective(
        nn.Module<Tensor, Tensor> model,
        IEnumerable<PalLayer> layers,
        IHeatmapPrior prior,
        AttributionMethod method = AttributionMethod.GradientXActivation,
        AttributionTarget target = AttributionTarget.TrueClass,
        bool cloneOutputs = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(prior);
        Layers = layers.ToArray();
        if (Layers.Count == 0)
        {
            throw new ArgumentException("At least one PAL layer is needed.", nameof(layers));
        }

        foreach (var layer in Layers)
        {
            ArgumentNullException.ThrowIfNull(layer, nameof(layers));
            if (!double.IsFinite(layer.Weight))
            {
                throw new ArgumentException($"The weight of layer '{layer.Name}' must be finite; got {layer.Weight}.",
                    nameof(layers));
            }
        }

        var duplicate = Layers.GroupBy(l => l.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Layer '{duplicate.Key}' is listed twice.", nameof(layers));
        }

        _model = model;
        Prior = prior;
        Method = method;
        Target = target;
        var tapped = new List<TappedLayer>();
        try
        {
            foreach (var layer in Layers)
            {
                var head = layer.Head is null ? null : FindLinear(model, layer);
                tapped.Add(new TappedLayer(layer, new LayerTap(model, layer.Name, cloneOutputs), head));
            }
        }
        catch
        {
            tapped.ForEach(t => t.Tap.Dispose());
            throw;
        }

        _tapped = tapped.ToArray();
    }

    /// <summary>The PAL terms.</summary>
    public IReadOnlyList<PalLayer> Layers { get; }

    /// <summary>The heatmap prior.</summary>
    public IHeatmapPrior Prior { get; }

    /// <summary>How gradient and activation combine.</summary>
    public AttributionMethod Method { get; }

    /// <summary>Which score is differentiated.</summary>
    public AttributionTarget Target { get; }

    /// <summary>
    /// When true, <see cref="Compute"/> checks every step, with one host read, that the cross-entropy and each PAL
    /// term are finite (else <see cref="NonFiniteLossException"/>) and, for tensors on an accelerator, that the
    /// privileged information passes the prior's checks that run for free in host memory
    /// (<see cref="IHeatmapPrior.Violations"/>: for landmarks, finite visible coordinates and no unit or frame
    /// mistake; else <see cref="ArgumentException"/>). Off by default: on an accelerator the read waits for the
    /// step's forward pass. In host memory the attribution, heatmap and landmark checks always run, so a NaN from
    /// the model is reported with its layer and sample whether or not the guard is on.
    /// </summary>
    public bool GuardNonFinite { get; set; }

    /// <summary>Runs the model on a batch and returns CE, each layer's PAL term and the total.</summary>
    /// <param name="images">(B,…,H,W) inputs (for a <see cref="HeatmapPrior"/>, H×W is its image size).</param>
    /// <param name="labels">(B) int64 classes.</param>
    /// <param name="privileged">What the prior renders, on the images' device: (B,K,2) landmarks in input pixels
    /// for a <see cref="HeatmapPrior"/>, a (B,1,H,W) mask for a <see cref="MaskHeatmapPrior"/>.</param>
    /// <param name="visible">Optional (B,K) bool visibility mask of the landmarks.</param>
    public PalObjectiveOutput Compute(Tensor images, Tensor labels, Tensor privileged, Tensor? visible = null)
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
        Prior.CheckBatch(images, privileged, visible);
        foreach (var tapped in _tapped)
        {
            tapped.Tap.Clear(); // a layer that does not run in this pass must not lend an older activation
        }

        var logits = _model.call(images);
        Rank(logits, "model output", 2, "(B,K) logits");
        IndexRange(labels, nameof(labels), logits.shape[1]);
        var crossEntropy = nn.functional.cross_entropy(logits, labels);
        var activations = _tapped.Select(t => t.Tap.TakeActivation()).ToArray();
        var attributions = Attributions(logits, activations, labels);
        var heatmaps = new Dictionary<(long, long), Tensor>();
        var terms = new PalLayerTerm[Layers.Count];
        var total = crossEntropy;
        for (var i = 0; i < terms.Length; i++)
        {
            var attribution = attributions[i];
            var size = (attribution.shape[2], attribution.shape[3]);
            if (!heatmaps.TryGetValue(size, out var heatmap))
            {
                heatmap = Prior.render(privileged, size.Item1, size.Item2, visible);
                heatmaps[size] = heatmap;
            }

            var layer = Layers[i];
            var pal = PalFunctional.PalLossNamed(attribution, heatmap.to(attribution.dtype), layer.Strategy,
                layer.Normalization, nn.Reduction.Mean, 1e-12, $"attribution of layer '{layer.Name}'");
            terms[i] = new PalLayerTerm(layer, pal);
            total = total + layer.Weight * pal;
        }

        var output = new PalObjectiveOutput(logits, crossEntropy, terms, total);
        if (GuardNonFinite)
        {
            Guard(output, privileged, visible);
        }

        return output;
    }

    /// <summary>Removes the hooks.</summary>
    public void Dispose()
    {
        foreach (var tapped in _tapped)
        {
            tapped.Tap.Dispose();
        }
    }

    /// <summary>Every layer's attribution: the layers with a <see cref="GlobalPoolLinearHead"/> in closed form, the
    /// others from one shared double-backward-ready gradient call. The labels' range was checked by the caller.
    /// </summary>
    private Tensor[] Attributions(Tensor logits, Tensor[] activations, Tensor labels)
    {
        var result = new Tensor[activations.Length];
        var viaAutograd = Enumerable.Range(0, activations.Length).Where(i => _tapped[i].Head is null).ToArray();
        if (viaAutograd.Length > 0)
        {
            var maps = PalFunctional.AttributionMapsOfCheckedTargets(logits,
                viaAutograd.Select(i => activations[i]).ToArray(), labels, Method, Target,
                viaAutograd.Select(i => _tapped[i].Layer.Name).ToArray());
            for (var j = 0; j < viaAutograd.Length; j++)
            {
                result[viaAutograd[j]] = maps[j];
            }
        }

        for (var i = 0; i < activations.Length; i++)
        {
            if (_tapped[i].Head is not { } linear)
            {
                continue;
            }

            if (!_headsVerified)
            {
                VerifyHead(_tapped[i].Layer, linear, logits, activations[i]);
            }

            result[i] = PalFunctional.GlobalPoolLinearAttributionOfCheckedTargets(logits, activations[i],
                linear.weight!, labels, Method, Target);
        }

        _headsVerified = true;
        return result;
    }

    /// <summary><see cref="GuardNonFinite"/>: every flag in one tensor, one host read; the details (more reads)
    /// only when something failed.</summary>
    private void Guard(PalObjectiveOutput output, Tensor privileged, Tensor? visible)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var losses = stack(new[] { output.CrossEntropy }.Concat(output.Terms.Select(t => t.Loss)).Append(output.Total)
            .Select(l => l.detach().to(ScalarType.Float32)).ToArray());
        var flags = isfinite(losses);
        // In host memory the prior's own checks already ran while rendering.
        var priorChecked = privileged.device_type != DeviceType.CPU;
        if (priorChecked)
        {
            flags = cat([flags, Prior.Violations(privileged, visible).logical_not().all().unsqueeze(0)]);
        }

        var passed = flags.cpu().data<bool>().ToArray(); // the one host read
        if (passed.All(p => p))
        {
            return;
        }

        if (priorChecked && !passed[^1])
        {
            // The same checks, with their messages, as for tensors in host memory.
            Prior.render(privileged.cpu(), 2, 2, visible?.cpu());
            throw new ArgumentException(
                "The privileged information breaks the prior's rules (IHeatmapPrior.Violations).", nameof(privileged));
        }

        var values = losses.cpu().data<float>().ToArray();
        var names = new[] { "cross-entropy" }.Concat(Layers.Select(l => $"PAL at '{l.Name}'")).Append("total");
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
        if (activation.dim() != 4 || activation.shape[1] != linear.weight!.shape[1])
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

    /// <summary>One tapped layer: its PAL term, its hook, and the linear layer of its declared closed-form head.
    /// </summary>
    private sealed record TappedLayer(PalLayer Layer, LayerTap Tap, Linear? Head);
}
