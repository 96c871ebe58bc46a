namespace PrivilegedAttribution;

/// <summary>
/// The comparison of a model's state dict with a file's, made before anything is copied: every entry of the model
/// is paired with the file's entry of the same name, of the same shape and of the same kind of dtype (floating
/// point, integer, boolean, complex). The head's entries are loaded if all of them fit and kept otherwise; every
/// other difference refuses the whole load with the first entry that differs and the likely cause.
/// </summary>
internal sealed class LoadPlan
{
    /// <summary>How many names a listing in a refusal shows before "…".</summary>
    private const int Shown = 5;

    private LoadPlan(List<(string ModelName, string FileName, Tensor Target)> copies, List<KeptHeadEntry> keptHead,
        string? strippedPrefix, StateDictLayout? fileLayout)
    {
        Copies = copies;
        KeptHead = keptHead;
        StrippedPrefix = strippedPrefix;
        FileLayout = fileLayout;
    }

    /// <summary>The model's tensors to overwrite and the file's entries that hold their values, in the model's
    /// order.</summary>
    internal IReadOnlyList<(string ModelName, string FileName, Tensor Target)> Copies { get; }

    internal IReadOnlyList<KeptHeadEntry> KeptHead { get; }

    internal string? StrippedPrefix { get; }

    internal StateDictLayout? FileLayout { get; }

    /// <summary>Compares <paramref name="model"/>'s entries with <paramref name="file"/>'s.</summary>
    /// <param name="model">The model's state dict entries in PyTorch's order (<see cref="ModelState.Entries"/>).
    /// </param>
    /// <param name="file">The opened file.</param>
    /// <param name="head">The head's module name (already checked to name entries of the model), or null.</param>
    /// <param name="argument">The argument the file came from, for the exception.</param>
    /// <exception cref="ArgumentException">An entry outside the head is missing, has another shape or holds another
    /// kind of value, or the file has entries the model does not.</exception>
    internal static LoadPlan Make(IReadOnlyList<(string Name, Tensor Tensor)> model, WeightFile file, string? head,
        string argument)
    {
        var strippedPrefix = file.Entries.Count > 0 &&
            file.Entries.Keys.All(name => name.StartsWith("module.", StringComparison.Ordinal)) &&
            !model.Any(entry => entry.Name.StartsWith("module.", StringComparison.Ordinal))
                ? "module."
                : null;
        var fileEntries = file.Entries.ToDictionary(e => e.Key[(strippedPrefix?.Length ?? 0)..], e => e.Value,
            StringComparer.Ordinal);
        var fileName = (string name) => strippedPrefix + name;
        bool InHead(string name) => head is not null && name.StartsWith(head + ".", StringComparison.Ordinal);

        var copies = new List<(string, string, Tensor)>();
        var differences = new List<(string Name, string Text)>();
        var missing = new List<string>();
        var shapes = new List<string>();
        foreach (var (name, tensor) in model.Where(entry => !InHead(entry.Name)))
        {
            if (!fileEntries.TryGetValue(name, out var entry))
            {
                missing.Add(name);
                differences.Add((name, $"'{name}' ({Shapes.Format(tensor.shape)} in the model) is not in the file"));
            }
            else if (!Shapes.Equal(tensor.shape, entry.Shape))
            {
                shapes.Add($"'{name}' model {Shapes.Format(tensor.shape)}, file {Shapes.Format(entry.Shape)}");
                differences.Add((name, $"'{name}': the model expects shape {Shapes.Format(tensor.shape)}, the file " +
                    $"has {Shapes.Format(entry.Shape)}"));
            }
            else if (Shapes.Kind(tensor.dtype) != Shapes.Kind(entry.DType))
            {
                differences.Add((name, KindText(name, tensor.dtype, entry.DType)));
            }
            else
            {
                copies.Add((name, fileName(name), tensor));
            }
        }

        var modelNames = model.Select(entry => entry.Name).ToHashSet(StringComparer.Ordinal);
        var unexpected = fileEntries.Keys.Where(name => !modelNames.Contains(name) && !InHead(name))
            .Order(Shapes.EntryOrder).ToList();

        var keptHead = new List<KeptHeadEntry>();
        var headEntries = model.Where(entry => InHead(entry.Name)).ToList();
        // The head loads only as a whole: every entry of the model's head in the file with its shape, and no entry
        // under the head in the file that the model's head lacks.
        var headNames = headEntries.Select(entry => entry.Name).ToHashSet(StringComparer.Ordinal);
        var headFits = headEntries.All(entry =>
                fileEntries.TryGetValue(entry.Name, out var found) && Shapes.Equal(entry.Tensor.shape, found.Shape)) &&
            fileEntries.Keys.Where(InHead).All(headNames.Contains);
        foreach (var (name, tensor) in headEntries)
        {
            fileEntries.TryGetValue(name, out var entry);
            if (!headFits)
            {
                keptHead.Add(new KeptHeadEntry(name, tensor.shape, entry?.Shape));
            }
            else if (Shapes.Kind(tensor.dtype) != Shapes.Kind(entry!.DType))
            {
                differences.Add((name, KindText(name, tensor.dtype, entry.DType)));
            }
            else
            {
                copies.Add((name, fileName(name), tensor));
            }
        }

        var fileLayout = StateDictLayout.Recognise(fileEntries.ToDictionary(e => e.Key, e => e.Value.Shape));
        if (differences.Count > 0 || unexpected.Count > 0)
        {
            throw Refusal(model, file.Source, fileEntries, fileLayout, head, differences, missing, unexpected, shapes,
                argument);
        }

        return new LoadPlan(copies, keptHead, strippedPrefix, fileLayout);
    }

    /// <summary>The exception that refuses the load: the cause, the first entry that differs in the model's order,
    /// then the first few missing, unexpected and reshaped entries.</summary>
    private static ArgumentException Refusal(IReadOnlyList<(string Name, Tensor Tensor)> model, string source,
        Dictionary<string, TensorHeader> fileEntries, StateDictLayout? fileLayout, string? head,
        List<(string Name, string Text)> differences, List<string> missing, List<string> unexpected,
        List<string> shapes, string argument)
    {
        var modelNames = model.Select(entry => entry.Name).ToList();
        var first = differences.Count > 0
            ? differences.OrderBy(d => modelNames.IndexOf(d.Name) is var i and >= 0 ? i : int.MaxValue).First().Text
            : $"'{unexpected[0]}' ({Shapes.Format(fileEntries[unexpected[0]].Shape)}) is in the file but not in the " +
              "model";
        var cause = Cause(model, fileEntries, fileLayout, head,
            differences.Select(d => d.Name).Concat(unexpected).ToList());
        var lines = new List<string>
        {
            $"Cannot load '{source}' into the model: {cause}.",
            $"The first entry that differs: {first}.",
        };
        if (missing.Count > 0)
        {
            lines.Add($"Missing from the file ({missing.Count} of {model.Count}): {Listing(missing)}.");
        }

        if (unexpected.Count > 0)
        {
            lines.Add($"In the file but not in the model ({unexpected.Count} of {fileEntries.Count}): " +
                $"{Listing(unexpected)}.");
        }

        if (shapes.Count > 0)
        {
            lines.Add($"Shapes that differ ({shapes.Count}): {string.Join("; ", shapes.Take(Shown))}" +
                $"{(shapes.Count > Shown ? "; …" : "")}.");
        }

        lines.Add("Nothing was copied into the model.");
        return new ArgumentException(string.Join(Environment.NewLine, lines), argument);
    }

    private static string KindText(string name, ScalarType model, ScalarType file) =>
        $"'{name}': the model holds {Shapes.Kind(model)} values ({model}), the file {Shapes.Kind(file)} values " +
        $"({file}), which do not convert into each other";

    /// <summary>The real cause of the differences: another architecture, only the classification head, or
    /// (otherwise) how many entries differ.</summary>
    private static string Cause(IReadOnlyList<(string Name, Tensor Tensor)> model,
        Dictionary<string, TensorHeader> fileEntries, StateDictLayout? fileLayout, string? head,
        List<string> differing)
    {
        var modelLayout = StateDictLayout.Recognise(model.GroupBy(e => e.Name).ToDictionary(g => g.Key,
            g => g.First().Tensor.shape, StringComparer.Ordinal));
        if (fileLayout is not null && modelLayout is not null && fileLayout.Architecture != modelLayout.Architecture)
        {
            return $"the file is the state dict of {fileLayout}, the model is {modelLayout}";
        }

        if (fileLayout is null && modelLayout is not null)
        {
            return $"the file is not the state dict of a torchvision ResNet or VGG (its first entries: " +
                $"{Listing(fileEntries.Keys.Order(Shapes.EntryOrder).ToList(), 3)}), " +
                $"the model is {modelLayout}";
        }

        // A classification head is the model's last layer with parameters.
        var modules = differing.Select(Shapes.ModuleOf).Distinct(StringComparer.Ordinal).ToList();
        var last = model.Count > 0 ? Shapes.ModuleOf(model[^1].Name) : null;
        if (modules.Count == 1 && modules[0] == last && last != head)
        {
            var classes = fileLayout?.Classes is { } fileClasses && modelLayout?.Classes is { } modelClasses
                ? $" (the model has {modelClasses} classes, the file {fileClasses})"
                : "";
            return $"only the module '{modules[0]}' differs{classes}. If it is the classification head, pass head: " +
                $"\"{modules[0]}\" to load everything else and keep the model's head";
        }

        var both = fileLayout is not null && fileLayout == modelLayout ? $" (both are {modelLayout})" : "";
        return differing.Count == 1
            ? $"one entry differs between the model's state dict and the file's{both}"
            : $"{differing.Count} entries differ between the model's state dict and the file's{both}";
    }

    private static string Listing(IReadOnlyList<string> names, int shown = Shown) =>
        string.Join(", ", names.Take(shown)) + (names.Count > shown ? ", …" : "");
}
