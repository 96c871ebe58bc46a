using static TorchSharp.torch;

namespace PrivilegedAttribution.Samples;

/// <summary>A view of some rows of a <see cref="ILandmarkedImages"/> (e.g. a validation split held out of a face
/// folder's training images). The view does not own the images it reads: dispose those separately.</summary>
public sealed class IndexedImages : ILandmarkedImages
{
    private readonly ILandmarkedImages _source;
    private readonly Tensor _rows;

    /// <summary>The rows <paramref name="rows"/> of <paramref name="source"/>, in that order.</summary>
    public IndexedImages(ILandmarkedImages source, IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Any(row => row < 0 || row >= source.Count))
        {
            throw new ArgumentOutOfRangeException(nameof(rows), $"Every row must lie in [0, {source.Count}).");
        }

        _source = source;
        _rows = tensor(rows.Select(row => (long)row).ToArray());
        Labels = source.Labels.index_select(0, _rows);
    }

    /// <inheritdoc />
    public long Count => _rows.shape[0];

    /// <inheritdoc />
    public Tensor Labels { get; }

    /// <inheritdoc />
    public (Tensor Images, Tensor Labels, Tensor Landmarks, Tensor Visible) Batch(Tensor index)
    {
        using var rows = _rows.index_select(0, index);
        return _source.Batch(rows);
    }

    /// <inheritdoc />
    public Tensor ForDisplay(Tensor images) => _source.ForDisplay(images);

    /// <inheritdoc />
    public void Dispose()
    {
        _rows.Dispose();
        Labels.Dispose();
    }
}
