using static TorchSharp.torch;

namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>
/// The experiment's batching: the row indices of each mini-batch of a data set, shuffled for training or in order for
/// evaluation. The last batch holds the remainder.
/// </summary>
/// <remarks>Each index tensor is disposed when the enumeration moves on (or ends), so a caller opens its step's
/// dispose scope inside the loop as usual and owns nothing extra. Shuffling draws one <c>torch.randperm</c> per pass
/// when the enumeration starts, so a run seeded with <c>torch.manual_seed</c> repeats.</remarks>
public static class MiniBatches
{
    /// <summary>How many batches of <paramref name="batchSize"/> cover <paramref name="count"/> samples.</summary>
    public static int Count(long count, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        return (int)Math.Ceiling(count / (double)batchSize);
    }

    /// <summary>(B) int64 row indices of each batch, in a random order drawn once per pass.</summary>
    public static IEnumerable<Tensor> Shuffled(long count, int batchSize)
    {
        var batches = Count(count, batchSize);
        return Iterate();

        IEnumerable<Tensor> Iterate()
        {
            using var order = randperm(count);
            for (var b = 0; b < batches; b++)
            {
                var start = (long)b * batchSize;
                using var index = order.narrow(0, start, Math.Min(batchSize, count - start));
                yield return index;
            }
        }
    }

    /// <summary>(B) int64 row indices of each batch, in order.</summary>
    public static IEnumerable<Tensor> InOrder(long count, int batchSize)
    {
        var batches = Count(count, batchSize);
        return Iterate();

        IEnumerable<Tensor> Iterate()
        {
            for (var b = 0; b < batches; b++)
            {
                var start = (long)b * batchSize;
                using var index = arange(start, Math.Min(start + batchSize, count));
                yield return index;
            }
        }
    }
}
