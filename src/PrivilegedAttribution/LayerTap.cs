using static TorchSharp.torch.nn;

namespace PrivilegedAttribution;

/// <summary>
/// Captures the output of one named layer of any TorchSharp model through a forward hook, in a form that survives
/// the model's internal dispose scopes and in-place operations, and keeps its autograd link to the logits.
/// </summary>
/// <remarks>
/// Hooks fire through <c>call(x)</c>, not <c>forward(x)</c>: a layer that its parent runs with
/// <c>child.forward(x)</c> (as TorchSharp's examples write) is invisible to the tap. When the layer runs several
/// times in one forward pass, the last output is kept. The output is captured as it is, in its own memory layout (a
/// channels-last activation, <see cref="ChannelsLast"/>, is neither copied nor reordered), and the copy handed on
/// keeps that layout. Disposing the tap removes the hook.
/// </remarks>
public sealed class LayerTap : IDisposable
{
    private readonly HookableModule<Func<Module<Tensor, Tensor>, Tensor, Tensor>,
        Func<Module<Tensor, Tensor>, Tensor, Tensor, Tensor>>.HookRemover _hook;

    private Tensor? _captured;
    private bool _disposed;

    /// <summary>Installs a forward hook on the layer of <paramref name="model"/> named
    /// <paramref name="layerName"/> as <c>named_modules()</c> names it (e.g. <c>"layer3"</c>,
    /// <c>"features.20"</c>).</summary>
    /// <param name="model">Any TorchSharp module.</param>
    /// <param name="layerName">The layer's name in <c>model.named_modules()</c>.</param>
    /// <param name="cloneOutput">Hand the rest of the model a copy of the layer's output, so that in-place
    /// operations downstream (in-place ReLU, <c>+=</c> in residual blocks) cannot change the captured activation.
    /// Turn it off only for layers whose output is never modified in place: it saves one copy per step.</param>
    /// <exception cref="ArgumentException">No layer has that name (the message lists the names), or the layer does
    /// not map one tensor to one tensor.</exception>
    public LayerTap(Module model, string layerName, bool cloneOutput = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(layerName);
        var match = NamedModules.Find(model, layerName) ?? throw new ArgumentException(
            $"The model has no layer named '{layerName}'. Layers from named_modules(): " +
            $"{NamedModules.Listing(model)}.", nameof(layerName));

        if (match is not Module<Tensor, Tensor> layer)
        {
            throw new ArgumentException(
                $"Layer '{layerName}' is a {match.GetType().Name}, whose forward does not map one tensor to one " +
                "tensor; tap a layer that does, or pass the activation to the hook-free path yourself.",
                nameof(layerName));
        }

        LayerName = layerName;
        Layer = layer;
        CloneOutput = cloneOutput;
        _hook = layer.register_forward_hook(OnForward);
    }

    /// <summary>The tapped layer's name.</summary>
    public string LayerName { get; }

    /// <summary>The tapped layer.</summary>
    public Module<Tensor, Tensor> Layer { get; }

    /// <summary>Whether the rest of the model receives a copy of the layer's output.</summary>
    public bool CloneOutput { get; }

    /// <summary>Whether an activation has been captured since the last <see cref="TakeActivation"/>.</summary>
    public bool HasActivation => _captured is not null;

    /// <summary>
    /// Returns the activation captured by the last forward pass and hands it to the current dispose scope (the
    /// caller's training step), so that it is freed with the step's other tensors.
    /// </summary>
    /// <exception cref="InvalidOperationException">The layer has not run since the last call (the model's forward
    /// does not use it, or was called as <c>forward</c> rather than <c>call</c>).</exception>
    public Tensor TakeActivation()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var activation = _captured ?? throw new InvalidOperationException(
            $"Layer '{LayerName}' did not run in the last forward pass, so it has no activation to attribute. " +
            "Either the model's forward never calls it (a layer that is defined but unused, or skipped on this " +
            "input: tap one that lies on the path from the input to the logits — named_modules() lists them all, " +
            "used or not), or it was run with `.forward(x)`, which bypasses forward hooks: by its parent module " +
            "(models written as TorchSharp's examples call `child.forward(x)` inside forward: change it to " +
            "`child.call(x)`) or by the caller (`model.forward(x)`: use `model.call(x)`). Models that cannot be " +
            "changed take the hook-free path: pass the activation yourself (AttributionMap's forward(logits, " +
            "activation, target), or PalObjective's forward: constructor).");
        _captured = null;
        CurrentDisposeScope?.Attach(activation);
        return activation;
    }

    /// <summary>Frees the captured activation, if it was not taken.</summary>
    public void Clear()
    {
        _captured?.Dispose();
        _captured = null;
    }

    /// <summary>Removes the hook and frees any activation not taken.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _hook.remove();
        Clear();
    }

    private Tensor OnForward(Module<Tensor, Tensor> layer, Tensor input, Tensor output)
    {
        Clear();
        // alias() is a new handle to the same native tensor, whatever its layout (a channels-last activation stays
        // channels-last, uncopied): it keeps the autograd link, and once detached from the model's dispose scope
        // (TorchVision runs forward in one, Sequential disposes each child's output) it stays alive until the caller
        // takes it.
        _captured = output.alias().DetachFromDisposeScope();
        // clone() keeps the layout too; null keeps the layer's own output.
        return CloneOutput ? _captured.clone() : null!;
    }
}
