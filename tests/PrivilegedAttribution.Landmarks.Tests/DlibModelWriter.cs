namespace PrivilegedAttribution.Landmarks.Tests;

/// <summary>Writes dlib's serialisation format (dlib/serialize.h) for hand-made test models.</summary>
internal sealed class DlibModelWriter
{
    private readonly MemoryStream _stream = new();

    public byte[] ToArray() => _stream.ToArray();

    public DlibModelWriter Signed(long value)
    {
        var magnitude = (ulong)Math.Abs(value);
        var bytes = new List<byte>();
        do
        {
            bytes.Add((byte)(magnitude & 0xFF));
            magnitude >>= 8;
        }
        while (magnitude != 0);

        _stream.WriteByte((byte)(bytes.Count | (value < 0 ? 0x80 : 0)));
        _stream.Write(bytes.ToArray());
        return this;
    }

    public DlibModelWriter Unsigned(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            bytes.Add((byte)(value & 0xFF));
            value >>= 8;
        }
        while (value != 0);

        _stream.WriteByte((byte)bytes.Count);
        _stream.Write(bytes.ToArray());
        return this;
    }

    /// <summary>dlib's float_details: mantissa·2^exponent with a 24-bit mantissa for floats.</summary>
    public DlibModelWriter Float(float value)
    {
        if (value == 0)
        {
            return Signed(0).Signed(0);
        }

        var exponent = (int)Math.Floor(Math.Log2(Math.Abs(value))) + 1 - 24;
        var mantissa = (long)Math.ScaleB(value, -exponent);
        return Signed(mantissa).Signed(exponent);
    }

    public DlibModelWriter Column(params float[] values)
    {
        Signed(-values.Length).Signed(-1);
        foreach (var value in values)
        {
            Float(value);
        }

        return this;
    }

    public DlibModelWriter Raw(params byte[] bytes)
    {
        _stream.Write(bytes);
        return this;
    }
}
