namespace PrivilegedAttribution;

/// <summary>
/// Channels-last (NHWC) image batches, which TorchSharp cannot ask for (it has no <c>contiguous(memory_format)</c>
/// nor <c>to(memory_format)</c>). A batch laid out channels-last keeps its shape (B,C,H,W) and its values; only the
/// order of its elements in memory changes. LibTorch's oneDNN convolutions on the CPU then run on NHWC activations
/// as they are, instead of reordering every plain (NCHW) activation into oneDNN's blocked layout and back, and the
/// layout travels through the network (convolution, batch norm, ReLU, pooling and residual additions keep it), so
/// converting the input batch is enough. Results agree with the NCHW step to rounding (the package's tests check
/// gradients, PAL's second-order ones included, against the NCHW step in float64).
/// </summary>
public static class ChannelsLast
{
    /// <summary>
    /// The batch laid out channels-last: a (B,C,H,W) tensor with the same values whose channels vary fastest in
    /// memory, like PyTorch's <c>x.contiguous(memory_format=torch.channels_last)</c>. Autograd sees a copy (the
    /// gradient reaches <paramref name="batch"/>); a batch already channels-last is returned as a new handle to the
    /// same tensor, without copying.
    /// </summary>
    /// <param name="batch">A 4-D batch (B,C,H,W) on any device, of any dtype.</param>
    /// <returns>A new tensor handle in the caller's dispose scope.</returns>
    /// <exception cref="ArgumentException"><paramref name="batch"/> is not 4-D.</exception>
    public static Tensor Of(Tensor batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.dim() != 4)
        {
            throw new ArgumentException(
                $"Expected a 4-D batch (B,C,H,W) to lay out channels-last; got shape {Shape(batch)}.", nameof(batch));
        }

        if (Is(batch))
        {
            return batch.alias();
        }

        using var scope = NewDisposeScope();
        // NHWC-contiguous storage, viewed back as (B,C,H,W): the strides of PyTorch's channels_last format.
        return scope.MoveToOuter(batch.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2));
    }

    /// <summary>Whether <paramref name="batch"/> is a 4-D tensor laid out channels-last: dense NHWC strides, where
    /// dimensions of size 1 may have any stride (as LibTorch decides it).</summary>
    /// <param name="batch">Any tensor.</param>
    public static bool Is(Tensor batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.dim() != 4)
        {
            return false;
        }

        var (size, stride) = (batch.shape, batch.stride());
        // Innermost first in NHWC: C, then W, then H, then B.
        var expected = 1L;
        foreach (var dim in new[] { 1, 3, 2, 0 })
        {
            if (size[dim] != 1 && stride[dim] != expected)
            {
                return false;
            }

            expected *= size[dim];
        }

        return true;
    }
}
