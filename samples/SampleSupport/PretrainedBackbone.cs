using TorchSharp;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Samples;

/// <summary>
/// A TorchVision classifier for K classes whose backbone starts from pretrained weights: a TorchSharp state-dict file
/// (the format of <c>Module.save</c>, and of TorchSharp's <c>exportsd.py</c>, which turns torchvision's ImageNet
/// weights into it). The file is loaded into the model built with ImageNet's head (1000 classes), every name and
/// shape checked, and everything but the head is carried over into the model for K classes, whose head keeps its
/// fresh initialisation: the usual fine-tuning start.
/// </summary>
public static class PretrainedBackbone
{
    /// <summary>The number of classes of the ImageNet head the weights files are exported with.</summary>
    public const int ImageNetClasses = 1000;

    /// <summary>
    /// <paramref name="createModel"/>(<paramref name="classes"/>), with every parameter and buffer but the head
    /// <paramref name="head"/> taken from <paramref name="weights"/> when a file is given.
    /// </summary>
    /// <param name="createModel">A fresh model for a number of classes, e.g.
    /// <c>k =&gt; torchvision.models.resnet18(num_classes: k)</c>.</param>
    /// <param name="classes">K, the classes of the task.</param>
    /// <param name="weights">A state-dict file for the model with <see cref="ImageNetClasses"/> classes; null trains
    /// from scratch.</param>
    /// <param name="head">The classifier head's module name as <c>named_modules()</c> gives it: <c>"fc"</c> in a
    /// ResNet, <c>"classifier.6"</c> in a VGG.</param>
    /// <exception cref="ArgumentException">The file does not fit the model: the message names the file and the first
    /// entry whose name or shape differs.</exception>
    public static T Create<T>(Func<int, T> createModel, int classes, string? weights, string head)
        where T : nn.Module
    {
        ArgumentNullException.ThrowIfNull(createModel);
        ArgumentException.ThrowIfNullOrWhiteSpace(head);
        if (classes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(classes), classes, "At least one class is needed.");
        }

        var model = createModel(classes);
        if (weights is null)
        {
            return model;
        }

        using var imageNet = createModel(ImageNetClasses);
        Load(imageNet, weights);
        var source = imageNet.state_dict();
        var prefix = head + ".";
        var target = model.state_dict();
        if (!target.Keys.Any(key => key.StartsWith(prefix, StringComparison.Ordinal)))
        {
            throw new ArgumentException($"The model has no parameters under '{head}' to replace; its entries are " +
                                        $"{string.Join(", ", target.Keys.Take(5))}, ...", nameof(head));
        }

        using var noGrad = no_grad();
        foreach (var (key, tensor) in target)
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal))
            {
                tensor.copy_(source[key]);
            }
        }

        return model;
    }

    /// <summary>Loads the state-dict file <paramref name="path"/> into <paramref name="model"/>, which must have
    /// exactly its entries (names and shapes).</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="ArgumentException">The file does not fit the model: the message names the file and the first
    /// entry whose name or shape differs, or says that the file is not a state dict.</exception>
    public static void Load(nn.Module model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var entries = Read(path);
        try
        {
            var expected = model.state_dict();
            foreach (var (key, tensor) in entries)
            {
                if (!expected.TryGetValue(key, out var target))
                {
                    throw Mismatch(path, $"its entry '{key}' {Shape(tensor)} is not in the model (whose entries " +
                                         $"begin {string.Join(", ", expected.Keys.Take(3))})");
                }

                if (!target.shape.SequenceEqual(tensor.shape))
                {
                    throw Mismatch(path, $"its entry '{key}' has shape {Shape(tensor)}, the model's {Shape(target)}" +
                                         (key.EndsWith(".weight", StringComparison.Ordinal) && tensor.dim() == 2
                                             ? " (a head for another number of classes?)"
                                             : ""));
                }
            }

            if (expected.Keys.FirstOrDefault(key => !entries.ContainsKey(key)) is { } missing)
            {
                throw Mismatch(path, $"the model's entry '{missing}' {Shape(expected[missing])} is not in the file");
            }

            using var noGrad = no_grad();
            foreach (var (key, tensor) in entries)
            {
                expected[key].copy_(tensor);
            }
        }
        finally
        {
            foreach (var tensor in entries.Values)
            {
                tensor.Dispose();
            }
        }
    }

    /// <summary>Reads every entry of a TorchSharp state-dict file: a LEB128 count, then per entry a name (a .NET
    /// length-prefixed string) and a tensor (type, rank, shape, raw data).</summary>
    private static Dictionary<string, Tensor> Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The weights file '{path}' does not exist.", path);
        }

        var entries = new Dictionary<string, Tensor>();
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path));
            var count = ReadLeb128(reader);
            if (count < 0 || count > 100_000)
            {
                throw new InvalidDataException($"it announces {count} entries");
            }

            for (var i = 0; i < count; i++)
            {
                var key = reader.ReadString();
                entries[key] = TensorExtensionMethods.Load(reader);
            }

            if (reader.BaseStream.Position != reader.BaseStream.Length)
            {
                throw new InvalidDataException(
                    $"{reader.BaseStream.Length - reader.BaseStream.Position} bytes follow its {count} entries");
            }

            return entries;
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or IOException or
                                      NotImplementedException or ArgumentException or OverflowException)
        {
            foreach (var tensor in entries.Values)
            {
                tensor.Dispose();
            }

            throw new ArgumentException($"The weights file '{path}' is not a TorchSharp state dict ({e.Message}); " +
                                        "write one with Module.save or TorchSharp's exportsd.py.", nameof(path), e);
        }
    }

    // An unsigned LEB128 integer (seven bits a byte, low bits first), as the format stores the entry count.
    private static long ReadLeb128(BinaryReader reader)
    {
        long value = 0;
        for (var shift = 0; shift < 63; shift += 7)
        {
            var b = reader.ReadByte();
            value |= (long)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new InvalidDataException("its entry count is not a LEB128 integer");
    }

    private static ArgumentException Mismatch(string path, string what) =>
        new($"The weights file '{path}' does not fit the model: {what}. It must hold the state dict of the same " +
            $"architecture with the ImageNet head ({ImageNetClasses} classes).", nameof(path));

    private static string Shape(Tensor tensor) => $"[{string.Join(", ", tensor.shape)}]";
}
