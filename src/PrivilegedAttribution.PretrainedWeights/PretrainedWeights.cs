namespace PrivilegedAttribution;

/// <summary>
/// Loads the pretrained weights users have — torchvision <c>.pth</c> state dicts and safetensors files — into
/// TorchSharp models whose state dict names follow PyTorch's: TorchVision.NET's <c>resnet18/34/50/101/152</c> and
/// <c>vgg11/13/16/19</c> (with or without <c>_bn</c>) take torchvision's files as they are, and so does any module
/// built with the same names. The classification head can be swapped for K classes: name it, and a head of another
/// shape in the file is skipped while everything else loads.
/// </summary>
/// <remarks>
/// <para>What is checked, before anything is copied: every entry of the model's state dict (parameters and
/// persistent buffers, BatchNorm's <c>running_mean</c>, <c>running_var</c> and <c>num_batches_tracked</c> included)
/// must have an entry of the same name and shape in the file, holding the same kind of values (floating point,
/// integer, boolean); the file must have no entry the model lacks. A refusal is an
/// <see cref="ArgumentException"/> naming the first entry that differs with both shapes, the likely cause (for
/// example "the file is the state dict of a torchvision VGG-11 … (vgg11_bn), the model is a torchvision ResNet-18
/// (resnet18)"), and the first few missing and unexpected names; the model is left untouched.</para>
/// <para>The values are converted to each of the model's tensors' dtype and device (a float16 file loads into a
/// float32 model on a GPU); the model's mode, <c>requires_grad</c> flags and memory formats are left as they are.
/// A file whose every name starts with <c>module.</c> (saved from PyTorch's <c>DataParallel</c>) loads with the
/// prefix removed. Every temporary tensor is freed before the call returns, so it is safe inside or outside a
/// dispose scope.</para>
/// <para>The format is recognised by the first bytes, not the extension: <see cref="WeightFileFormat.PyTorchZip"/>
/// (<c>torch.save(model.state_dict(), path)</c>, PyTorch 1.6 or later) and <see cref="WeightFileFormat.Safetensors"/>.
/// A damaged or truncated file, a legacy (pre-1.6) or TorchScript file, a whole pickled model or a training
/// checkpoint are refused with an <see cref="InvalidDataException"/> naming the file and saying what to do.
/// TorchSharp.PyBridge reads the tensors.</para>
/// </remarks>
/// <example>
/// ImageNet weights into a 7-class facial-expression ResNet-18 (TorchVision.NET):
/// <code>
/// var model = torchvision.models.resnet18(num_classes: 7);
/// var report = PretrainedWeights.Load(model, "resnet18-f37072fd.pth", head: PretrainedWeights.ResNetHead);
/// Console.WriteLine(report);   // Loaded 120 of 122 entries …; kept the model's head 'fc': fc.weight: …
/// </code>
/// </example>
public static class PretrainedWeights
{
    /// <summary>The classification head of TorchVision.NET's and torchvision's ResNets: <c>"fc"</c>.</summary>
    public const string ResNetHead = "fc";

    /// <summary>The classification head of TorchVision.NET's and torchvision's VGGs: the last linear layer,
    /// <c>"classifier.6"</c>.</summary>
    public const string VggHead = "classifier.6";

    /// <summary>
    /// Copies the weights of the file at <paramref name="path"/> into <paramref name="model"/>, checking every name
    /// and shape first (see the class remarks).
    /// </summary>
    /// <param name="model">The model to load into, on any device and in any floating-point dtype.</param>
    /// <param name="path">A <c>torch.save</c> state dict or a safetensors file, recognised by its content.</param>
    /// <param name="head">The module name of the classification head (for example <see cref="ResNetHead"/>,
    /// <see cref="VggHead"/>), or null to require every entry to match. When the file's entries under this module
    /// all have the model's shapes, they are loaded; otherwise (another number of classes, or no head in the file)
    /// all of them keep the model's values and are listed in <see cref="WeightLoadReport.KeptHead"/>. A module
    /// holding several layers (<c>"classifier"</c>) is loaded or kept as a whole.</param>
    /// <returns>What was loaded and what was kept.</returns>
    /// <exception cref="ArgumentException">The file does not fit the model (the message names the first entry that
    /// differs and the cause; nothing was copied), or <paramref name="head"/> names no module of the model with
    /// parameters.</exception>
    /// <exception cref="InvalidDataException">The file is damaged, truncated, or not a state dict.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    public static WeightLoadReport Load(nn.Module model, string path, string? head = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var entries = ModelEntries(model, head);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        return Load(entries, stream, head, path, nameof(path));
    }

    /// <summary>
    /// Copies the weights held in <paramref name="stream"/> into <paramref name="model"/>, checking every name and
    /// shape first (see the class remarks). The stream is read from its start and left open.
    /// </summary>
    /// <param name="model">The model to load into, on any device and in any floating-point dtype.</param>
    /// <param name="stream">A readable, seekable stream holding a <c>torch.save</c> state dict or a safetensors
    /// file (wrap a network stream in a <see cref="MemoryStream"/> or a temporary file first).</param>
    /// <param name="head">As in <see cref="Load(nn.Module, string, string?)"/>.</param>
    /// <param name="name">The name that messages and the report use for the stream, for example the file name it
    /// came from; "the stream" when null.</param>
    /// <returns>What was loaded and what was kept.</returns>
    /// <exception cref="ArgumentException">The stream cannot be read or seeked, the weights do not fit the model
    /// (nothing was copied), or <paramref name="head"/> names no module of the model with parameters.</exception>
    /// <exception cref="InvalidDataException">The content is damaged, truncated, or not a state dict.</exception>
    public static WeightLoadReport Load(nn.Module model, Stream stream, string? head = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead || !stream.CanSeek)
        {
            throw new ArgumentException($"The stream must be readable and seekable (CanRead {stream.CanRead}, " +
                $"CanSeek {stream.CanSeek}): a zip archive and a safetensors header are read out of order. Copy it " +
                "into a MemoryStream or a temporary file first.", nameof(stream));
        }

        return Load(ModelEntries(model, head), stream, head, name ?? "the stream", nameof(stream));
    }

    private static WeightLoadReport Load(List<(string Name, Tensor Tensor)> model, Stream stream, string? head,
        string source, string argument)
    {
        // Everything the readers create (the file's tensors, conversions, device copies) dies with this scope; the
        // model's own tensors were created before it and are only written to.
        using var scope = NewDisposeScope();
        var file = WeightFile.Open(stream, source);
        var plan = LoadPlan.Make(model, file, head, argument);
        var values = file.Read(plan.Copies.Select(copy => copy.FileName).ToList());
        using (no_grad())
        {
            foreach (var (_, fileName, target) in plan.Copies)
            {
                target.copy_(values[fileName]);
            }
        }

        return new WeightLoadReport(source, file.Format, plan.FileLayout?.ToString(), head,
            plan.Copies.Select(copy => copy.ModelName).ToList(), plan.KeptHead, plan.StrippedPrefix);
    }

    /// <summary>The model's state dict entries, after checking that <paramref name="head"/> names a module of it
    /// that holds some.</summary>
    private static List<(string Name, Tensor Tensor)> ModelEntries(nn.Module model, string? head)
    {
        var entries = ModelState.Entries(model);
        if (head is null || entries.Any(e => e.Name.StartsWith(head + ".", StringComparison.Ordinal)))
        {
            return entries;
        }

        var modules = entries.Select(e => Shapes.ModuleOf(e.Name)).Distinct().ToList();
        var hint = entries.Any(e => e.Name == head)
            ? $" '{head}' is one of its entries: name the module that holds it, '{Shapes.ModuleOf(head)}'."
            : "";
        throw new ArgumentException(
            $"The model has no parameter or buffer under the module '{head}', so it cannot be the head.{hint} The " +
            $"model's last modules with parameters: {string.Join(", ", modules.TakeLast(3).Select(m => $"'{m}'"))} " +
            $"(TorchVision's heads: '{ResNetHead}' in ResNets, '{VggHead}' in VGGs).", nameof(head));
    }
}
