using TorchSharp;
using static TorchSharp.torch;
using static PrivilegedAttribution.TensorChecks;

namespace PrivilegedAttribution;

/// <summary>
/// The whole PAL training objective in one call: cross-entropy + Σ_l λ_l·PAL_l over any number of tapped layers,
/// each with its own weight, channel strategy and normalisation, with heatmaps rendered at each layer's size.
/// </summary>
/// <example><code>
/// using var objective = new PalObjective(model, [new PalLayer("layer3", 0.5)], new HeatmapPrior(112, 112, 6));
/// using (var step = torch.NewDisposeScope()) {
///     optimizer.zero_grad();
///     var output = objective.Compute(images, labels, landmarks);
///     output.Total.backward();
///     optimizer.step();
/// }
/// </code></example>
public sealed class PalObjective : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly LayerTap[] _taps;
    private readonly string[] _names;

    /// <summary>Taps every layer of <paramref name="layers"/> in <paramref name="model"/>; dispose the objective
    /// to remove the hooks.</summary>
    /// <param name="model">Any TorchSharp classifier returning (B,K) logits.</param>
    /// <param name="layers">The PAL terms; layer names must be distinct.</param>
    /// <param name="prior">Renders the landmark heatmaps; its image size must match the images'.</param>
    /// <param name="method">How gradient and activation combine.</param>
    /// <param name="target">Which score is differentiated.</param>
    /// <param name="cloneOutputs">See <see cref="LayerTap(nn.Module, string, bool)"/>.</param>
    public PalObjective(
        nn.Module<Tensor, Tensor> model,
        IEnumerable<PalLayer> layers,
        HeatmapPrior prior,
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
        _names = Layers.Select(l => l.Name).ToArray();
        var taps = new List<LayerTap>();
        try
        {
            foreach (var name in _names)
            {
                taps.Add(new LayerTap(model, name, cloneOutputs));
            }
        }
        catch
        {
            taps.ForEach(t => t.Dispose());
            throw;
        }

        _taps = taps.ToArray();
    }

    /// <summary>The PAL terms.</summary>
    public IReadOnlyList<PalLayer> Layers { get; }

    /// <summary>The heatmap prior.</summary>
    public HeatmapPrior Prior { get; }

    /// <summary>How gradient and activation combine.</summary>
    public AttributionMethod Method { get; }

    /// <summary>Which score is differentiated.</summary>
    public AttributionTarget Target { get; }

    /// <summary>Runs the model on a batch and returns CE, each layer's PAL term and the total.</summary>
    /// <param name="images">(B,…,H,W) inputs, H×W equal to the prior's image size.</param>
    /// <param name="labels">(B) int64 classes.</param>
    /// <param name="landmarks">(B,K,2) landmarks in input pixels, on the images' device.</param>
    /// <param name="visible">Optional (B,K) bool visibility mask.</param>
    public PalObjectiveOutput Compute(Tensor images, Tensor labels, Tensor landmarks, Tensor? visible = null)
    {
        NotNull(images, nameof(images));
        NotNull(labels, nameof(labels));
        NotNull(landmarks, nameof(landmarks));
        if (images.dim() < 3)
        {
            throw new ArgumentException($"{nameof(images)} must have shape (B,…,H,W); got {Shape(images)}.",
                nameof(images));
        }

        NonEmptyBatch(images, nameof(images));
        var (height, width) = (images.shape[^2], images.shape[^1]);
        if (height != Prior.ImageHeight || width != Prior.ImageWidth)
        {
            throw new ArgumentException(
                $"{nameof(images)} are {height}×{width} but the prior's landmarks refer to " +
                $"{Prior.ImageHeight}×{Prior.ImageWidth} images; build the HeatmapPrior with the input size.",
                nameof(images));
        }

        Dtype(labels, nameof(labels), ScalarType.Int64);
        Rank(labels, nameof(labels), 1, "(B)");
        Batch(labels, nameof(labels), images.shape[0], nameof(images));
        SameDevice(labels, nameof(labels), images, nameof(images));
        Rank(landmarks, nameof(landmarks), 3, "(B,K,2)");
        Batch(landmarks, nameof(landmarks), images.shape[0], nameof(images));
        SameDevice(landmarks, nameof(landmarks), images, nameof(images));
        foreach (var tap in _taps)
        {
            tap.Clear(); // a layer that does not run in this pass must not lend an older activation
        }

        var logits = _model.call(images);
        Rank(logits, "model output", 2, "(B,K) logits");
        IndexRange(labels, nameof(labels), logits.shape[1]);
        var crossEntropy = nn.functional.cross_entropy(logits, labels);
        var activations = _taps.Select(t => t.TakeActivation()).ToArray();
        var attributions = PalFunctional.attribution_maps(logits, activations, labels, Method, Target, _names);
        var heatmaps = new Dictionary<(long, long), Tensor>();
        var terms = new PalLayerTerm[Layers.Count];
        var total = crossEntropy;
        for (var i = 0; i < terms.Length; i++)
        {
            var attribution = attributions[i];
            var size = (attribution.shape[2], attribution.shape[3]);
            if (!heatmaps.TryGetValue(size, out var heatmap))
            {
                heatmap = Prior.render(landmarks, size.Item1, size.Item2, visible);
                heatmaps[size] = heatmap;
            }

            var layer = Layers[i];
            var pal = PalFunctional.pal_loss(attribution, heatmap.to(attribution.dtype), layer.Strategy,
                layer.Normalization);
            terms[i] = new PalLayerTerm(layer, pal);
            total = total + layer.Weight * pal;
        }

        return new PalObjectiveOutput(logits, crossEntropy, terms, total);
    }

    /// <summary>Removes the hooks.</summary>
    public void Dispose()
    {
        foreach (var tap in _taps)
        {
            tap.Dispose();
        }
    }
}
