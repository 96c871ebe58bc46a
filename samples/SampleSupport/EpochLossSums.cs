using TorchSharp;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Samples;

/// <summary>
/// Sums a training epoch's loss terms on their device, step by step, for a loop that reads no loss on the host: a
/// host read per step would synchronise an accelerator every step, while one read at the end of the epoch still
/// stops a diverged run (<see cref="TrainingDivergedException"/>) before the next epoch trains on NaN weights.
/// </summary>
public sealed class EpochLossSums : IDisposable
{
    private readonly string[] _names;
    private Tensor? _sums;
    private int _steps;

    /// <summary>Sums the terms called <paramref name="names"/>, in the order <see cref="Add"/> receives them.</summary>
    public EpochLossSums(params string[] names) => _names = names;

    /// <summary>Adds one step's scalar loss terms (their graphs are left alone).</summary>
    public void Add(params Tensor[] terms)
    {
        if (terms.Length != _names.Length)
        {
            throw new ArgumentException($"Expected {_names.Length} loss terms ({string.Join(", ", _names)}); " +
                                        $"got {terms.Length}.", nameof(terms));
        }

        using var scope = NewDisposeScope();
        // float64: a float32 sum of a long epoch would round; NaN and ±∞ survive the sum either way.
        var values = stack(terms.Select(term => term.detach().to(ScalarType.Float64)).ToArray());
        _sums ??= zeros_like(values).DetachFromDisposeScope();
        _sums.add_(values);
        _steps++;
    }

    /// <summary>Reads the epoch's mean terms (one host read), throws <see cref="TrainingDivergedException"/> when one
    /// is not finite, and starts the next epoch's sums.</summary>
    /// <param name="epoch">The epoch just finished, counted from 1.</param>
    /// <param name="epochs">The number of epochs of the run.</param>
    /// <returns>The epoch's mean terms, in the order of the names (NaN each when no step was added).</returns>
    public double[] ThrowIfNonFinite(int epoch, int epochs)
    {
        if (_sums is null)
        {
            return _names.Select(_ => double.NaN).ToArray();
        }

        double[] sums;
        using (NewDisposeScope())
        {
            sums = _sums.cpu().data<double>().ToArray();
        }

        var steps = _steps;
        _sums.zero_();
        _steps = 0;
        var means = sums.Select(sum => sum / steps).ToArray();
        TrainingDivergedException.ThrowIfNonFinite(epoch, epochs,
            $"one of its {steps} steps; epoch means, summed on the device and checked once per epoch",
            _names.Select((name, i) => (name, means[i])).ToArray());
        return means;
    }

    /// <summary>Frees the sums.</summary>
    public void Dispose() => _sums?.Dispose();
}
