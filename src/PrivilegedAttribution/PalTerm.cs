using TorchSharp.Modules;

namespace PrivilegedAttribution;

/// <summary>One term of a <see cref="PalObjective"/>: its configuration (weight included, which
/// <see cref="PalObjective.SetWeight"/> replaces), the hook that captures its activation (none for the input or a
/// hook-free forward), the linear layer of a declared closed-form head, and its grid once derived.</summary>
internal sealed class PalTerm(PalLayer layer, LayerTap? tap, Linear? head)
{
    internal PalLayer Layer { get; set; } = layer;

    internal LayerTap? Tap { get; } = tap;

    internal Linear? Head { get; } = head;

    /// <summary>The grid the heatmap is rendered on: the layer's own, or the one derived on the first batch for
    /// <see cref="LayerGrid.FromModel"/>; null for the default grid spanning the image.</summary>
    internal LayerGrid? Grid { get; set; } = layer.Grid;

    internal string Name => Layer.Name;

    /// <summary>How messages name the term's attribution.</summary>
    internal string Description =>
        Layer.IsInput ? "attribution at the model's input" : $"attribution of layer '{Name}'";
}
