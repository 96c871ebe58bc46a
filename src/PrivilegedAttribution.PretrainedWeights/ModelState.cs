namespace PrivilegedAttribution;

/// <summary>A model's state dict in PyTorch's order: each module's own parameters, then its persistent buffers,
/// then its children's, depth first. TorchSharp's <c>state_dict()</c> holds the same entries but lists every
/// parameter before any buffer, so "the first entry that differs" would not be the one a PyTorch user expects.
/// </summary>
internal static class ModelState
{
    /// <summary>The model's parameters and persistent buffers (BatchNorm's running statistics and
    /// <c>num_batches_tracked</c> included) by name: the model's own tensors, not copies.</summary>
    internal static List<(string Name, Tensor Tensor)> Entries(nn.Module model)
    {
        var entries = new List<(string, Tensor)>();
        Walk(model, "", entries);
        return entries;
    }

    private static void Walk(nn.Module module, string prefix, List<(string, Tensor)> entries)
    {
        foreach (var (name, parameter) in module.named_parameters(recurse: false))
        {
            entries.Add((prefix + name, parameter));
        }

        foreach (var (name, buffer) in module.named_buffers(recurse: false, include_nonpersistent: false))
        {
            entries.Add((prefix + name, buffer));
        }

        foreach (var (name, child) in module.named_children())
        {
            Walk(child, $"{prefix}{name}.", entries);
        }
    }
}
