using System.Runtime.CompilerServices;

namespace PrivilegedAttribution.Landmarks;

/// <summary>
/// Reads dlib's portable binary serialisation (dlib/serialize.h) from a stream, buffered: variable-length integers
/// (a control byte holding the byte count and, for signed types, the sign in bit 7, then little-endian magnitude
/// bytes), floating-point numbers as an integer mantissa and a 16-bit exponent (dlib's float_details), matrices
/// as rows, columns and elements, and std::vector as an unsigned length and elements. The stream's length is known, so
/// that a count is checked against the bytes left before anything is allocated for it (see
/// <see cref="ReadLength"/>).
/// </summary>
internal sealed class DlibSerializationReader : IDisposable
{
    /// <summary>The fewest bytes of an integer: dlib's pack_int writes a control byte and at least one byte.</summary>
    public const int MinIntegerBytes = 2;

    /// <summary>The fewest bytes of a float: two integers, mantissa and exponent.</summary>
    public const int MinSingleBytes = 2 * MinIntegerBytes;

    private const int BufferSize = 1 << 20;
    private const short IsInfinity = 32000;
    private const short IsNegativeInfinity = 32001;

    private const int MinNormalExponent = -126;
    private const int MaxNormalExponent = 127;

    private static readonly float[] PowersOfTwo =
        Enumerable.Range(MinNormalExponent, MaxNormalExponent - MinNormalExponent + 1)
            .Select(e => MathF.ScaleB(1f, e)).ToArray();

    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[BufferSize];
    private readonly string _source;
    private readonly long _streamLength;
    private int _position;
    private int _length;
    private long _consumed;

    /// <summary>Reads <paramref name="stream"/> from its current position, where <paramref name="length"/> bytes
    /// are left.</summary>
    public DlibSerializationReader(Stream stream, long length, string source)
    {
        _stream = stream;
        _streamLength = length;
        _source = source;
    }

    /// <summary>Where in the model the reader is (e.g. "cascade 3 tree 17"), prefixed to error messages; kept
    /// apart from the per-value description so that reading 16 million floats builds no string.</summary>
    public string? Context { get; set; }

    /// <summary>The offset of the next byte in the stream.</summary>
    public long Offset => _consumed + _position;

    /// <summary>The bytes left after <see cref="Offset"/>.</summary>
    public long Remaining => _streamLength - Offset;

    public void Dispose() => _stream.Dispose();

    /// <summary>A signed integer of at most <paramref name="maxBytes"/> bytes (dlib's pack_int for signed T).</summary>
    public long ReadSigned(int maxBytes, string what)
    {
        var start = Offset;
        int control = ReadByte(what);
        var negative = (control & 0x80) != 0;
        var size = control & 0x0F;
        if (size == 0 || size > maxBytes)
        {
            throw Error(start, $"{what}: a signed integer of {size} bytes where 1 to {maxBytes} are allowed");
        }

        var magnitude = ReadMagnitude(size, what);
        if (magnitude > long.MaxValue)
        {
            throw Error(start, $"{what}: integer out of range");
        }

        return negative ? -(long)magnitude : (long)magnitude;
    }

    /// <summary>An unsigned integer of at most <paramref name="maxBytes"/> bytes (dlib's pack_int for unsigned
    /// T; the three reserved bits 4–6 of the control byte are ignored, bit 7 must be clear).</summary>
    public ulong ReadUnsigned(int maxBytes, string what)
    {
        var start = Offset;
        var size = ReadByte(what) & 0x8F;
        if (size == 0 || size > maxBytes)
        {
            throw Error(start, $"{what}: an unsigned integer with control byte {size:x2} where 1 to {maxBytes} bytes " +
                "are allowed");
        }

        return ReadMagnitude(size, what);
    }

    /// <summary>A dlib float: int64 mantissa and int16 exponent, value = ldexp((float)mantissa, exponent).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float ReadSingle(string what)
    {
        if (_length - _position >= 12)
        {
            // Fast path for the ~16 million floats of a model: both integers lie in the buffer.
            var span = _buffer.AsSpan(_position);
            var c0 = span[0];
            var mantissaSize = c0 & 0x0F;
            if ((c0 & 0x70) == 0 && mantissaSize is > 0 and <= 8)
            {
                ulong magnitude = 0;
                for (var i = mantissaSize; i >= 1; i--)
                {
                    magnitude = (magnitude << 8) | span[i];
                }

                var c1 = span[mantissaSize + 1];
                var exponentSize = c1 & 0x0F;
                if (exponentSize is 1 or 2 && magnitude <= long.MaxValue)
                {
                    int exponentMagnitude = span[mantissaSize + 2];
                    if (exponentSize == 2)
                    {
                        exponentMagnitude |= span[mantissaSize + 3] << 8;
                    }

                    if (exponentMagnitude <= short.MaxValue)
                    {
                        _position += mantissaSize + exponentSize + 2;
                        var mantissa = (c0 & 0x80) != 0 ? -(long)magnitude : (long)magnitude;
                        var exponent = (c1 & 0x80) != 0 ? -exponentMagnitude : exponentMagnitude;
                        return Compose(mantissa, (short)exponent);
                    }
                }
            }
        }

        return ReadSingleSlow(what);
    }

    /// <summary>A dlib float that must be finite.</summary>
    public float ReadFiniteSingle(string what)
    {
        var start = Offset;
        var value = ReadSingle(what);
        if (!float.IsFinite(value))
        {
            throw Error(start, $"{what}: {value} where a finite number is required");
        }

        return value;
    }

    /// <summary>A dlib::matrix&lt;float,0,1&gt;: rows and columns (negated in dlib's newer format), then the
    /// elements row by row.</summary>
    public float[] ReadColumnVector(string what)
    {
        var start = Offset;
        var rows = ReadSigned(8, what + " rows");
        var columns = ReadSigned(8, what + " columns");
        if (rows < 0 || columns < 0)
        {
            rows = -rows;
            columns = -columns;
        }

        if (columns != 1 || rows < 0 || rows > int.MaxValue / 2)
        {
            throw Error(start, $"{what}: a {rows}×{columns} matrix where a column vector is required");
        }

        EnsureRemaining(start, rows, MinSingleBytes, what);

        var values = new float[rows];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = ReadFiniteSingle(what);
        }

        return values;
    }

    /// <summary>The length of a std::vector (an unsigned long), bounded by <paramref name="max"/> and by the bytes
    /// left: each element takes at least <paramref name="minBytesEach"/> bytes, so a length that the rest of the
    /// stream cannot hold is refused before anything is allocated for it.</summary>
    public int ReadLength(string what, int max, long minBytesEach)
    {
        var start = Offset;
        var length = ReadUnsigned(8, what + " length");
        if (length > (ulong)max)
        {
            throw Error(start, $"{what}: length {length} exceeds the plausible maximum {max}");
        }

        EnsureRemaining(start, (long)length, minBytesEach, what);
        return (int)length;
    }

    /// <summary>Throws unless the bytes left can hold <paramref name="count"/> elements of at least
    /// <paramref name="minBytesEach"/> bytes each.</summary>
    public void EnsureRemaining(long start, long count, long minBytesEach, string what)
    {
        // count ≤ 2³¹ and minBytesEach ≤ 2³² (a leaf of at most 2³⁰ floats), so the product fits a long.
        var needed = count * minBytesEach;
        if (needed > Remaining)
        {
            throw Error(start, $"{what}: {count} elements need at least {needed} bytes ({minBytesEach} each), but " +
                $"only {Remaining} bytes are left: the file is cut short or the count is corrupt");
        }
    }

    /// <summary>An index (an unsigned long) that must be below <paramref name="bound"/>.</summary>
    public int ReadIndex(string what, int bound)
    {
        var start = Offset;
        var value = ReadUnsigned(8, what);
        if (value >= (ulong)bound)
        {
            throw Error(start, $"{what}: index {value} out of range [0, {bound})");
        }

        return (int)value;
    }

    /// <summary>True when the stream has no byte left.</summary>
    public bool AtEnd() => _position >= _length && Fill() == 0;

    public InvalidDataException Error(long offset, string message) =>
        new($"{_source} is not a valid dlib shape predictor: {(Context is null ? "" : Context + ": ")}{message} " +
            $"(byte offset {offset}).");

    private float ReadSingleSlow(string what)
    {
        var start = Offset;
        if ((PeekByte(what) & 0x70) != 0)
        {
            throw Error(start, $"{what}: a float in dlib's old text format, which this reader does not support");
        }

        var mantissa = ReadSigned(8, what + " mantissa");
        var exponent = ReadSigned(2, what + " exponent");
        if (exponent is < short.MinValue or > short.MaxValue)
        {
            throw Error(start, $"{what}: exponent {exponent} out of range");
        }

        return Compose(mantissa, (short)exponent);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Compose(long mantissa, short exponent)
    {
        if (exponent is >= MinNormalExponent and <= MaxNormalExponent)
        {
            // std::ldexp((float)mantissa, exponent): one rounding to float, then a scaling by a power of two that
            // float holds exactly; a product rounds only where the result leaves the normal range, and then to
            // nearest as ldexp does.
            return (float)mantissa * PowersOfTwo[exponent - MinNormalExponent];
        }

        if (exponent < IsInfinity)
        {
            return MathF.ScaleB((float)mantissa, exponent);
        }

        return exponent switch
        {
            IsInfinity => float.PositiveInfinity,
            IsNegativeInfinity => float.NegativeInfinity,
            _ => float.NaN,
        };
    }

    private ulong ReadMagnitude(int size, string what)
    {
        ulong value = 0;
        for (var i = 0; i < size; i++)
        {
            value |= (ulong)ReadByte(what) << (8 * i);
        }

        return value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte ReadByte(string what)
    {
        if (_position >= _length && Fill() == 0)
        {
            throw Error(Offset, $"{what}: unexpected end of file");
        }

        return _buffer[_position++];
    }

    private byte PeekByte(string what)
    {
        if (_position >= _length && Fill() == 0)
        {
            throw Error(Offset, $"{what}: unexpected end of file");
        }

        return _buffer[_position];
    }

    /// <summary>Keeps the unread tail and refills the rest of the buffer; returns the bytes available.</summary>
    private int Fill()
    {
        var remaining = _length - _position;
        if (remaining > 0)
        {
            Buffer.BlockCopy(_buffer, _position, _buffer, 0, remaining);
        }

        _consumed += _position;
        _position = 0;
        _length = remaining;
        int read;
        while (_length < _buffer.Length && (read = _stream.Read(_buffer, _length, _buffer.Length - _length)) > 0)
        {
            _length += read;
        }

        return _length;
    }
}
