namespace PrivilegedAttribution;

/// <summary>Finds a model's layers by the names <c>named_modules()</c> gives them, for taps and heads alike.</summary>
internal static class NamedModules
{
    /// <summary>The layer named <paramref name="name"/>, or null.</summary>
    internal static torch.nn.Module? Find(torch.nn.Module model, string name) =>
        model.named_modules().FirstOrDefault(m => m.name == name).module;

    /// <summary>Every name, quoted and comma-separated, for error messages.</summary>
    internal static string Listing(torch.nn.Module model) =>
        string.Join(", ", model.named_modules().Select(m => $"'{m.name}'"));
}
