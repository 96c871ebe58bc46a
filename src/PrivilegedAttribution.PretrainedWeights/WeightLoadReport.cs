namespace PrivilegedAttribution;

/// <summary>
/// What <see cref="PretrainedWeights.Load(nn.Module, string, string?)"/> did: which entries of the model's state dict
/// it copied from which file, and which entries of the classification head it kept at the model's own values.
/// </summary>
public sealed class WeightLoadReport
{
    internal WeightLoadReport(string source, WeightFileFormat format, string? fileLayout, string? head,
        IReadOnlyList<string> loaded, IReadOnlyList<KeptHeadEntry> keptHead, string? strippedPrefix)
    {
        Source = source;
        Format = format;
        FileLayout = fileLayout;
        Head = head;
        Loaded = loaded;
        KeptHead = keptHead;
        StrippedPrefix = strippedPrefix;
    }

    /// <summary>The file's path, or the name given for a stream.</summary>
    public string Source { get; }

    /// <summary>The format recognised from the file's first bytes.</summary>
    public WeightFileFormat Format { get; }

    /// <summary>The torchvision architecture the file's names and shapes describe, for example
    /// "a torchvision ResNet-18 (resnet18) with 1000 classes"; null for other layouts.</summary>
    public string? FileLayout { get; }

    /// <summary>The <c>head</c> argument of the call: the module whose entries could be kept; null if none.</summary>
    public string? Head { get; }

    /// <summary>The names of the model's state dict entries (parameters and persistent buffers) whose values were
    /// copied from the file, in the model's order.</summary>
    public IReadOnlyList<string> Loaded { get; }

    /// <summary>The head's entries that kept the model's own values because the file's head has other shapes or is
    /// absent; empty when the head was loaded too or when no head was named.</summary>
    public IReadOnlyList<KeptHeadEntry> KeptHead { get; }

    /// <summary>True when a head was named and the file's head fitted, so that it was loaded too.</summary>
    public bool HeadLoaded => Head is not null && KeptHead.Count == 0;

    /// <summary><c>"module."</c> when every name in the file had that prefix (a model saved while wrapped in
    /// PyTorch's <c>DataParallel</c>) and it was removed to match the model's names; otherwise null.</summary>
    public string? StrippedPrefix { get; }

    /// <summary>One line, for example <c>Loaded 102 of 102 entries from 'resnet18.pth' (PyTorchZip, a torchvision
    /// ResNet-18 (resnet18) with 1000 classes); kept the model's head 'fc': fc.weight: model [7, 512], file
    /// [1000, 512]; fc.bias: model [7], file [1000].</c></summary>
    public override string ToString()
    {
        var total = Loaded.Count + KeptHead.Count;
        var layout = FileLayout is null ? "" : $", {FileLayout}";
        var prefix = StrippedPrefix is null ? "" : $" (the file's '{StrippedPrefix}' prefix removed)";
        var head = Head is null ? "" : KeptHead.Count == 0
            ? $"; the head '{Head}' fitted and was loaded too"
            : $"; kept the model's head '{Head}': {string.Join("; ", KeptHead)}";
        return $"Loaded {Loaded.Count} of {total} entries from '{Source}' ({Format}{layout}){prefix}{head}.";
    }
}
