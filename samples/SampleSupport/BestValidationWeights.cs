using TorchSharp;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Samples;

/// <summary>
/// Keeps a copy of a model's weights (parameters and buffers) from the epoch with the best validation accuracy, and
/// puts them back at the end of training: the epoch is chosen on the validation split, never on the test images, and
/// a late epoch that happens to score worse (small data, BatchNorm statistics from few steps) does not decide the
/// result.
/// </summary>
public sealed class BestValidationWeights : IDisposable
{
    private readonly nn.Module _model;
    private Dictionary<string, Tensor>? _best;

    /// <summary>Watches <paramref name="model"/>.</summary>
    public BestValidationWeights(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
    }

    /// <summary>The epoch whose weights are kept (counted from 1; 0 before any).</summary>
    public int Epoch { get; private set; }

    /// <summary>Its validation accuracy (%).</summary>
    public double Accuracy { get; private set; } = double.NegativeInfinity;

    /// <summary>Keeps the model's current weights when <paramref name="accuracy"/> beats the best so far.</summary>
    public void Offer(int epoch, double accuracy)
    {
        if (!(accuracy > Accuracy))
        {
            return;
        }

        using var noGrad = no_grad();
        _best ??= _model.state_dict().ToDictionary(entry => entry.Key,
            entry => entry.Value.detach().clone().DetachFromDisposeScope());
        foreach (var (key, tensor) in _model.state_dict())
        {
            _best[key].copy_(tensor);
        }

        (Epoch, Accuracy) = (epoch, accuracy);
    }

    /// <summary>Puts the kept weights back into the model (nothing when none was offered).</summary>
    public void Restore()
    {
        if (_best is null)
        {
            return;
        }

        using var noGrad = no_grad();
        foreach (var (key, tensor) in _model.state_dict())
        {
            tensor.copy_(_best[key]);
        }
    }

    /// <summary>Frees the copy.</summary>
    public void Dispose()
    {
        foreach (var tensor in _best?.Values ?? Enumerable.Empty<Tensor>())
        {
            tensor.Dispose();
        }
    }
}
