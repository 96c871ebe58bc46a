using System.Collections;
using System.IO.Compression;
using TorchSharp.PyBridge;

namespace PrivilegedAttribution;

/// <summary>
/// A state dict written by <c>torch.save</c> (PyTorch 1.6 or later): a zip archive whose <c>data.pkl</c> pickles a
/// dictionary of tensors and whose <c>data/N</c> entries hold their storages. TorchSharp.PyBridge's unpickler
/// reads it (it builds only tensors and plain containers: no Python code runs). The whole file is read when it is
/// opened, since the pickle is the only place where names and shapes are written.
/// </summary>
internal sealed class PyTorchZipFile : WeightFile
{
    private readonly Dictionary<string, Tensor> _tensors;

    private PyTorchZipFile(string source, Dictionary<string, Tensor> tensors)
        : base(source, WeightFileFormat.PyTorchZip)
    {
        _tensors = tensors;
        Entries = tensors.ToDictionary(e => e.Key, e => new TensorHeader(e.Value.dtype, e.Value.shape));
    }

    internal override IReadOnlyDictionary<string, TensorHeader> Entries { get; }

    internal override Dictionary<string, Tensor> Read(IReadOnlyCollection<string> names) =>
        names.ToDictionary(name => name, name => _tensors[name]);

    internal static PyTorchZipFile Read(Stream stream, string source)
    {
        CheckArchive(stream, source);
        Hashtable table;
        try
        {
            stream.Position = 0;
            table = PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: true);
        }
        catch (Exception e) when (IsDamage(e))
        {
            throw new InvalidDataException(
                $"'{source}' is a zip archive but could not be read as torch.save's state dict ({e.GetType().Name}: " +
                $"{e.Message}). The file may be damaged, or hold something other than a state dict " +
                "(torch.save(model) pickles the model's Python classes: save model.state_dict() instead).", e);
        }

        return new PyTorchZipFile(source, Tensors(table, source));
    }

    /// <summary>Refuses archives that are damaged (a truncated file has lost its central directory), that are not
    /// torch.save's (no data.pkl), or that are TorchScript (torch.jit.save: code/ and constants.pkl).</summary>
    private static void CheckArchive(Stream stream, string source)
    {
        List<string> names;
        try
        {
            stream.Position = 0;
            using var archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            names = archive.Entries.Select(e => e.FullName).ToList();
        }
        catch (Exception e) when (IsDamage(e))
        {
            throw new InvalidDataException(
                $"'{source}' starts like a zip archive (torch.save's format) but is not a readable one: {e.Message} " +
                "The file is probably truncated or damaged: download or copy it again.", e);
        }

        if (names.Any(n => n.EndsWith("/constants.pkl", StringComparison.Ordinal)) &&
            names.Any(n => n.Contains("/code/", StringComparison.Ordinal)))
        {
            throw new InvalidDataException(
                $"'{source}' is a TorchScript archive (torch.jit.save), which holds a compiled program rather than a " +
                "state dict. In Python, save the weights instead: torch.save(model.state_dict(), path).");
        }

        if (!names.Any(n => n == "data.pkl" || n.EndsWith("/data.pkl", StringComparison.Ordinal)))
        {
            throw new InvalidDataException(
                $"'{source}' is a zip archive without the data.pkl entry every torch.save file has (its first " +
                $"entries: {string.Join(", ", names.Take(5))}): it is not a PyTorch state dict.");
        }
    }

    /// <summary>The unpickled dictionary as tensors by name; a dictionary that holds anything else (a training
    /// checkpoint with the epoch and the optimiser's state, say) is refused with its keys.</summary>
    private static Dictionary<string, Tensor> Tensors(Hashtable table, string source)
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var others = new List<string>();
        foreach (DictionaryEntry entry in table)
        {
            if (entry.Key is string name && entry.Value is Tensor tensor)
            {
                tensors[name] = tensor;
            }
            else
            {
                others.Add($"'{entry.Key}' ({Describe(entry.Value)})");
            }
        }

        if (others.Count > 0)
        {
            others.Sort(StringComparer.Ordinal);
            // The entry that holds a state dict: a dictionary of tensors only.
            var nested = table.Cast<DictionaryEntry>()
                .Where(e => e.Value is IDictionary { Count: > 0 } d && d.Values.Cast<object?>().All(v => v is Tensor))
                .Select(e => $"{e.Key}").Order(StringComparer.Ordinal).FirstOrDefault();
            var hint = nested is null
                ? "Save the model's state dict alone: torch.save(model.state_dict(), path)."
                : $"A training checkpoint? Save its state dict alone: torch.save(checkpoint['{nested}'], path).";
            throw new InvalidDataException(
                $"'{source}' holds a dictionary with {others.Count} entries that are not tensors: " +
                $"{string.Join(", ", others.Take(5))}{(others.Count > 5 ? ", …" : "")}. {hint}");
        }

        if (tensors.Count == 0)
        {
            throw new InvalidDataException($"'{source}' holds an empty state dict: no tensor to load.");
        }

        return tensors;
    }

    private static string Describe(object? value) => value switch
    {
        null => "None",
        IDictionary dictionary => $"a dictionary of {dictionary.Count} entries",
        Tensor => "a tensor under a key that is not a string",
        _ => value.GetType().Name,
    };
}
