using System.Buffers.Binary;
using System.Text.Json;
using TorchSharp.PyBridge;

namespace PrivilegedAttribution;

/// <summary>
/// A safetensors file: an unsigned 64-bit little-endian header length N, N bytes of JSON mapping each tensor's name
/// to its dtype, shape and byte range <c>data_offsets: [begin, end)</c> in the data that follows (plus an optional
/// <c>__metadata__</c> object of strings), then the raw little-endian data. The header is checked here in full
/// (JSON, dtypes, shapes, ranges against the file's length) before TorchSharp.PyBridge reads the tensors that are
/// kept, so that a damaged file is refused with its first fault and only the needed data is read.
/// </summary>
internal sealed class SafetensorsFile : WeightFile
{
    /// <summary>The dtypes TorchSharp.PyBridge reads, with their sizes in bytes.</summary>
    private static readonly Dictionary<string, (ScalarType DType, int Size)> DTypes = new(StringComparer.Ordinal)
    {
        ["F64"] = (ScalarType.Float64, 8), ["F32"] = (ScalarType.Float32, 4), ["F16"] = (ScalarType.Float16, 2),
        ["BF16"] = (ScalarType.BFloat16, 2), ["I64"] = (ScalarType.Int64, 8), ["I32"] = (ScalarType.Int32, 4),
        ["I16"] = (ScalarType.Int16, 2), ["I8"] = (ScalarType.Int8, 1), ["U8"] = (ScalarType.Byte, 1),
        ["BOOL"] = (ScalarType.Bool, 1),
    };

    private readonly Stream _stream;

    private SafetensorsFile(string source, Stream stream, Dictionary<string, TensorHeader> entries)
        : base(source, WeightFileFormat.Safetensors)
    {
        _stream = stream;
        Entries = entries;
    }

    internal override IReadOnlyDictionary<string, TensorHeader> Entries { get; }

    internal override Dictionary<string, Tensor> Read(IReadOnlyCollection<string> names)
    {
        Dictionary<string, Tensor> tensors;
        try
        {
            _stream.Position = 0;
            tensors = Safetensors.LoadStateDict(_stream, leaveOpen: true, keysToKeep: names.ToList());
        }
        catch (Exception e) when (IsDamage(e))
        {
            throw new InvalidDataException(
                $"'{Source}': the safetensors data could not be read ({e.GetType().Name}: {e.Message}).", e);
        }

        foreach (var name in names)
        {
            var expected = Entries[name];
            if (!tensors.TryGetValue(name, out var tensor) || tensor.dtype != expected.DType ||
                !Shapes.Equal(tensor.shape, expected.Shape))
            {
                throw new InvalidDataException($"'{Source}': the entry '{name}' read back differs from its header.");
            }
        }

        return tensors;
    }

    /// <summary>Reads and checks the header of the safetensors file <paramref name="stream"/> of
    /// <paramref name="length"/> bytes.</summary>
    internal static SafetensorsFile Open(Stream stream, string source, long length)
    {
        Span<byte> prefix = stackalloc byte[8];
        stream.Position = 0;
        stream.ReadExactly(prefix);
        var headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength < 0 || headerLength > length - 8)
        {
            throw Damaged(source, $"its header should take {headerLength} bytes after the first 8, but the file has " +
                $"only {length} bytes: it is truncated");
        }

        var header = new byte[headerLength];
        stream.ReadExactly(header);
        var dataLength = length - 8 - headerLength;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw Damaged(source, $"its header is not valid UTF-8 JSON ({e.Message})");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Damaged(source, "its header is not a JSON object");
            }

            var entries = new Dictionary<string, TensorHeader>(StringComparer.Ordinal);
            try
            {
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (property.Name == "__metadata__")
                    {
                        continue;
                    }

                    if (entries.ContainsKey(property.Name))
                    {
                        throw Damaged(source, $"its header names the tensor '{property.Name}' twice");
                    }

                    entries[property.Name] = Entry(property, dataLength, source);
                }
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException)
            {
                // JsonDocument checks the UTF-8 of a name or string only when it is read.
                throw Damaged(source, $"its header is not valid UTF-8 JSON ({e.Message})");
            }

            return new SafetensorsFile(source, stream, entries);
        }
    }

    private static TensorHeader Entry(JsonProperty property, long dataLength, string source)
    {
        var name = property.Name;
        var value = property.Value;
        if (value.ValueKind != JsonValueKind.Object ||
            !value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String ||
            !value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array ||
            !value.TryGetProperty("data_offsets", out var offsetsElement) ||
            offsetsElement.ValueKind != JsonValueKind.Array || offsetsElement.GetArrayLength() != 2)
        {
            throw Damaged(source, $"the header entry of '{name}' lacks a dtype string, a shape array or a " +
                "data_offsets pair");
        }

        var dtypeName = dtypeElement.GetString()!;
        if (!DTypes.TryGetValue(dtypeName, out var dtype))
        {
            throw Damaged(source, $"the tensor '{name}' has dtype '{dtypeName}', which this loader does not read " +
                $"(it reads {string.Join(", ", DTypes.Keys)})");
        }

        var shape = shapeElement.EnumerateArray().Select(d => NonNegative(d, name, "shape", source)).ToArray();
        var begin = NonNegative(offsetsElement[0], name, "data_offsets", source);
        var end = NonNegative(offsetsElement[1], name, "data_offsets", source);
        long bytes;
        try
        {
            bytes = checked(shape.Aggregate(1L, (product, size) => product * size) * dtype.Size);
        }
        catch (OverflowException)
        {
            throw Damaged(source, $"the tensor '{name}' has the impossible shape {Shapes.Format(shape)}");
        }

        if (end < begin || end - begin != bytes)
        {
            throw Damaged(source, $"the tensor '{name}' ({dtypeName}, {Shapes.Format(shape)}) needs {bytes} bytes " +
                $"but its data_offsets [{begin}, {end}) span {end - begin}");
        }

        if (end > dataLength)
        {
            throw Damaged(source, $"the data of '{name}' ends at byte {end} of the data section, which has only " +
                $"{dataLength} bytes: the file is truncated");
        }

        return new TensorHeader(dtype.DType, shape);
    }

    private static long NonNegative(JsonElement element, string name, string field, string source) =>
        element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out var value) && value >= 0
            ? value
            : throw Damaged(source, $"the {field} of '{name}' holds {element.GetRawText()}, not a non-negative " +
                "integer");

    private static InvalidDataException Damaged(string source, string fault) =>
        new($"'{source}' is not a valid safetensors file: {fault}.");
}
