namespace PrivilegedAttribution;

/// <summary>
/// The weight file formats <see cref="PretrainedWeights"/> reads. The format is recognised by the file's first
/// bytes, never by its extension (PyTorch files are named <c>.pth</c>, <c>.pt</c>, <c>.bin</c> or <c>.ckpt</c> alike).
/// </summary>
public enum WeightFileFormat
{
    /// <summary>
    /// <c>torch.save(model.state_dict(), path)</c> in PyTorch 1.6 or later: a zip archive (first bytes
    /// <c>PK\x03\x04</c>) holding a pickled dictionary and one entry per tensor storage. torchvision's and most
    /// published <c>.pth</c> files are in this format.
    /// </summary>
    PyTorchZip,

    /// <summary>
    /// safetensors: an unsigned 64-bit little-endian header length, a JSON header naming each tensor's dtype,
    /// shape and byte range, then the raw little-endian data.
    /// </summary>
    Safetensors,
}
