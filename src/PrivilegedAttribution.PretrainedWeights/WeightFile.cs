using System.Buffers.Binary;

namespace PrivilegedAttribution;

/// <summary>
/// A weight file opened for loading: the dtype and shape of every tensor it holds, known before the tensors that
/// are kept are read. The format is recognised by the first bytes. Every tensor a reader creates belongs to the
/// caller's dispose scope; every way a file can be damaged ends in an <see cref="InvalidDataException"/> that names
/// the file.
/// </summary>
internal abstract class WeightFile
{
    /// <summary>The largest safetensors header the reference implementation accepts (100 MB).</summary>
    private const long MaxSafetensorsHeader = 100_000_000;

    /// <summary>torch.save before PyTorch 1.6 (<c>_use_new_zipfile_serialization=False</c>) pickles this magic
    /// number first, with pickle protocol 2: PROTO 2, LONG1 of 10 bytes, 0x1950a86a20f9469cfc6c little-endian.
    /// </summary>
    private static ReadOnlySpan<byte> LegacyTorchSaveStart =>
        [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

    protected WeightFile(string source, WeightFileFormat format)
    {
        Source = source;
        Format = format;
    }

    /// <summary>The file's path, or the name given for a stream, for messages.</summary>
    internal string Source { get; }

    internal WeightFileFormat Format { get; }

    /// <summary>Every tensor of the file by name.</summary>
    internal abstract IReadOnlyDictionary<string, TensorHeader> Entries { get; }

    /// <summary>The named tensors on the CPU, in the file's dtype, owned by the caller's dispose scope.</summary>
    internal abstract Dictionary<string, Tensor> Read(IReadOnlyCollection<string> names);

    /// <summary>Recognises the format of <paramref name="stream"/> (readable and seekable) by its first bytes and
    /// opens it.</summary>
    internal static WeightFile Open(Stream stream, string source)
    {
        var length = stream.Length;
        Span<byte> start = stackalloc byte[16];
        stream.Position = 0;
        start = start[..stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false)];
        if (start.StartsWith("PK\x03\x04"u8) || start.StartsWith("PK\x05\x06"u8))
        {
            return PyTorchZipFile.Read(stream, source);
        }

        if (start.StartsWith(LegacyTorchSaveStart))
        {
            throw new InvalidDataException(
                $"'{source}' was written by torch.save in the format of PyTorch before 1.6 " +
                "(_use_new_zipfile_serialization=False), which this loader does not read. Re-save it with any " +
                "PyTorch from 1.6 on: torch.save(torch.load(old_path), new_path).");
        }

        if (start.Length >= 9 && start[8] == (byte)'{' &&
            BinaryPrimitives.ReadUInt64LittleEndian(start) <= MaxSafetensorsHeader)
        {
            return SafetensorsFile.Open(stream, source, length);
        }

        throw new InvalidDataException(
            $"'{source}' is neither a PyTorch state dict (torch.save's zip archive, first bytes 'PK\\x03\\x04') nor " +
            "a safetensors file (an 8-byte little-endian header length, then a JSON header starting with '{'): " +
            $"its {length} bytes start with {(start.IsEmpty ? "nothing" : Convert.ToHexString(start))}. A " +
            "TorchSharp file (module.save, exportsd.py) loads with module.load(path); TorchScript and ONNX files " +
            "hold no state dict.");
    }

    /// <summary>Whether an exception thrown while a reader parses a file means that the file is damaged or not
    /// what it claims: anything but the process running out of memory or stack. (The pickle reader reports a
    /// truncated pickle with a plain IOException, so I/O exceptions count too; the original is kept as the inner
    /// exception.)</summary>
    protected static bool IsDamage(Exception exception) =>
        exception is not OutOfMemoryException and not InsufficientExecutionStackException;
}
