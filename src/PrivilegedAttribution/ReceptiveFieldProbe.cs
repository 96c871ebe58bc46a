using static TorchSharp.torch.nn;

namespace PrivilegedAttribution;

/// <summary>
/// Derives a layer's <see cref="LayerGrid"/> from the model (<see cref="LayerGrid.Probe"/>): a cell's receptive field
/// is where the input gradient of that cell is non-zero, and its centre the middle of that field.
/// </summary>
/// <remarks>
/// The gradient is summed in absolute value over a batch of random inputs, so that a unit that a ReLU switches off,
/// or a max-pool that picks one position, for one input does not hide part of the field: with 16 inputs a 2×2 (3×3)
/// pool misses an edge of the field with probability 2⁻¹⁶ (⅔¹⁶) per level. The model runs in eval mode (BatchNorm with
/// its running statistics, no dropout) and stops at the layer, so the layers after it never run and any input size
/// works. Padding cuts the fields of the border cells, so the cells measured are central ones, and the input grows
/// (2×, 4×, 8×) until their fields lie inside it. For networks of convolutions and pooling the centres form an
/// affine grid whose origin does not depend on the input's size, which is why a larger probe input gives the grid of
/// the real one.
/// </remarks>
internal static class ReceptiveFieldProbe
{
    private const int Samples = 16;

    private const int Doublings = 3;

    internal static LayerGrid Grid(Module<Tensor, Tensor> model, string layerName, Tensor images)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(layerName);
        NotNull(images, nameof(images));
        Floating(images, nameof(images));
        Rank(images, nameof(images), 4, "(B,C,H,W)");
        var layer = NamedModules.Find(model, layerName) switch
        {
            Module<Tensor, Tensor> found => found,
            null => throw new ArgumentException(
                $"The model has no layer named '{layerName}'. Layers from named_modules(): " +
                $"{NamedModules.Listing(model)}.", nameof(layerName)),
            var other => throw new ArgumentException(
                $"Layer '{layerName}' is a {other.GetType().Name}, whose forward does not map one tensor to one " +
                "tensor.",
                nameof(layerName)),
        };
        var (channels, height, width) = (images.shape[1], images.shape[2], images.shape[3]);
        var wasTraining = model.training;
        model.eval();
        try
        {
            for (var doubling = 0; doubling <= Doublings; doubling++)
            {
                var grid = TryAt(model, layer, layerName, channels, height << doubling, width << doubling,
                    images.dtype, images.device);
                if (grid is not null)
                {
                    return grid;
                }
            }
        }
        finally
        {
            model.train(wasTraining);
        }

        throw new InvalidOperationException(
            $"The receptive fields of layer '{layerName}' reach beyond an input {1 << Doublings}× the image's size " +
            "(or " +
            "its map has fewer than 3 cells a side there), so its grid cannot be measured: the layer sees the whole " +
            "image, where the default grid (spanning the image) is the usual choice, or declare it with " +
            "new LayerGrid(stride, offset).");
    }

    /// <summary>The grid measured on inputs of <paramref name="height"/>×<paramref name="width"/>, or null when the
    /// measured cells' fields are cut by the input's border.</summary>
    private static LayerGrid? TryAt(Module<Tensor, Tensor> model, Module<Tensor, Tensor> layer, string layerName,
        long channels, long height, long width, ScalarType dtype, Device device)
    {
        using var scope = NewDisposeScope();
        using var gradients = enable_grad();
        var input = randn([Samples, channels, height, width], dtype, device).requires_grad_(true);
        var activation = ForwardTo(model, layer, layerName, input);
        if (activation.dim() != 4)
        {
            throw new ArgumentException(
                $"Layer '{layerName}' outputs shape {Shape(activation)}, not (B,C,h,w): it has no spatial grid.",
                nameof(layerName));
        }

        var (rows, columns) = (activation.shape[2], activation.shape[3]);
        if (rows < 3 || columns < 3)
        {
            return null;
        }

        var (row, column) = (rows / 2, columns / 2);
        var fields = new[] { -1, 0, 1 }.Select(d => Field(input, activation, row + d, column + d)).ToArray();
        if (fields.Any(f => f is null))
        {
            return null;
        }

        var (y, x) = (fields.Select(f => f!.Value.Y).ToArray(), fields.Select(f => f!.Value.X).ToArray());
        var (strideY, strideX) = (y[1] - y[0], x[1] - x[0]);
        if (!(strideY > 0 && strideX > 0) || y[2] - y[1] != strideY || x[2] - x[1] != strideX)
        {
            throw new InvalidOperationException(
                $"The cells of layer '{layerName}' are not centred on a regular grid of the input (neighbouring " +
                "cells " +
                $"centred on rows {string.Join(", ", y)} and columns {string.Join(", ", x)}): the model is not " +
                "translation-equivariant up to that layer. Declare the grid with new LayerGrid(…) or keep the " +
                "default.");
        }

        return new LayerGrid(strideY, strideX, y[1] - strideY * row, x[1] - strideX * column);
    }

    /// <summary>Runs the model until <paramref name="layer"/> has produced its output, and stops there.</summary>
    private static Tensor ForwardTo(Module<Tensor, Tensor> model, Module<Tensor, Tensor> layer, string layerName,
        Tensor input)
    {
        Tensor? captured = null;
        var hook = layer.register_forward_hook((_, _, output) =>
        {
            captured = output.alias().DetachFromDisposeScope();
            throw new ReachedLayer();
        });
        try
        {
            model.call(input);
        }
        catch (ReachedLayer)
        {
        }
        finally
        {
            hook.remove();
        }

        if (captured is null)
        {
            throw new InvalidOperationException(
                $"Layer '{layerName}' did not run when the model was probed for its grid: its parent runs it with " +
                "`.forward(x)`, which fires no hook, or the forward never calls it. Declare the grid instead.");
        }

        CurrentDisposeScope?.Attach(captured);
        return captured;
    }

    /// <summary>The centre of cell (row, column)'s receptive field, or null when the field touches the border.
    /// </summary>
    private static (double Y, double X)? Field(Tensor input, Tensor activation, long row, long column)
    {
        var cell = activation.select(2, row).select(2, column).sum();
        var gradient = autograd.grad([cell], [input], retain_graph: true)[0];
        var support = gradient.abs().sum([0, 1]) > 0;
        var (height, width) = (input.shape[2], input.shape[3]);
        var rowsHit = support.any(1).nonzero().squeeze(1);
        var columnsHit = support.any(0).nonzero().squeeze(1);
        if (rowsHit.numel() == 0 || columnsHit.numel() == 0)
        {
            throw new InvalidOperationException(
                "A cell of the probed layer does not depend on the input at all: its grid cannot be measured.");
        }

        var (top, bottom) = (rowsHit.min().item<long>(), rowsHit.max().item<long>());
        var (left, right) = (columnsHit.min().item<long>(), columnsHit.max().item<long>());
        if (top == 0 || left == 0 || bottom == height - 1 || right == width - 1)
        {
            return null;
        }

        return ((top + bottom) / 2.0, (left + right) / 2.0);
    }

    /// <summary>Stops the probe's forward pass at the layer.</summary>
    private sealed class ReachedLayer : Exception;
}
