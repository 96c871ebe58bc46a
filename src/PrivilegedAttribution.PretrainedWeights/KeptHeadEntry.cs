namespace PrivilegedAttribution;

/// <summary>
/// A parameter or buffer of the model's classification head that <see cref="PretrainedWeights.Load(nn.Module,
/// string, string?)"/> left at the model's own values because the file's head has another shape (for example
/// ImageNet's 1000 classes against the model's 7) or is absent from the file.
/// </summary>
public sealed class KeptHeadEntry
{
    internal KeptHeadEntry(string name, long[] modelShape, long[]? fileShape)
    {
        Name = name;
        ModelShape = modelShape;
        FileShape = fileShape;
    }

    /// <summary>The entry's name in the model's state dict, for example <c>fc.weight</c>.</summary>
    public string Name { get; }

    /// <summary>The shape the model has (and keeps), for example <c>[7, 512]</c>.</summary>
    public IReadOnlyList<long> ModelShape { get; }

    /// <summary>The shape of the file's entry of that name, for example <c>[1000, 512]</c>; null when the file has
    /// no entry of that name.</summary>
    public IReadOnlyList<long>? FileShape { get; }

    /// <summary>For example <c>fc.weight: model [7, 512], file [1000, 512]</c>.</summary>
    public override string ToString() =>
        $"{Name}: model {Shapes.Format(ModelShape)}, file {(FileShape is null ? "none" : Shapes.Format(FileShape))}";
}
