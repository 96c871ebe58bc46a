namespace PrivilegedAttribution.Landmarks.SkiaSharp;

/// <summary>
/// Whether a JPEG file reaches its end-of-image marker. libjpeg (and so SkiaSharp) reports success for a
/// progressive JPEG cut after its first scans: it ends the input with a fake end-of-image and returns the coarser
/// image of the scans it read. Walking the file's markers tells that case apart from a complete file.
/// </summary>
internal static class JpegEndOfImage
{
    private const byte Marker = 0xFF;
    private const byte StartOfImage = 0xD8;
    private const byte EndOfImage = 0xD9;
    private const byte StartOfScan = 0xDA;

    /// <summary>
    /// True when the marker walk from the start-of-image runs out of bytes before the end-of-image marker: a segment
    /// or the entropy-coded data of a scan is cut. False when the end-of-image marker is reached (bytes after it,
    /// such as a camera's trailer, are ignored) and also when the bytes do not follow the JPEG layout at all, which
    /// is left for the decoder to judge.
    /// </summary>
    public static bool IsMissing(ReadOnlySpan<byte> data)
    {
        if (data.Length < 2 || data[0] != Marker || data[1] != StartOfImage)
        {
            return false;
        }

        var i = 2;
        while (true)
        {
            if (i >= data.Length)
            {
                return true;
            }

            if (data[i] != Marker)
            {
                return false;
            }

            // Any number of fill bytes 0xFF may precede a marker.
            while (i < data.Length && data[i] == Marker)
            {
                i++;
            }

            if (i >= data.Length)
            {
                return true;
            }

            var code = data[i++];
            if (code == EndOfImage)
            {
                return false;
            }

            if (code is 0x01 or (>= 0xD0 and <= 0xD7))
            {
                continue; // TEM and RSTn stand alone
            }

            if (i + 2 > data.Length)
            {
                return true;
            }

            var length = (data[i] << 8) | data[i + 1];
            if (length < 2)
            {
                return false;
            }

            i += length;
            if (i > data.Length)
            {
                return true;
            }

            if (code == StartOfScan)
            {
                i = SkipEntropyCodedData(data, i);
            }
        }
    }

    /// <summary>The index of the marker that ends a scan's entropy-coded data, or the data's length. Inside it, 0xFF
    /// is followed by a stuffed 0x00 or a restart marker RST0–RST7.</summary>
    private static int SkipEntropyCodedData(ReadOnlySpan<byte> data, int i)
    {
        while (i + 1 < data.Length)
        {
            if (data[i] == Marker && data[i + 1] is not (0x00 or Marker or (>= 0xD0 and <= 0xD7)))
            {
                return i;
            }

            i++;
        }

        return data.Length;
    }
}
