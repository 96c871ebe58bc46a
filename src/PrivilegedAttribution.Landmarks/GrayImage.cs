namespace PrivilegedAttribution.Landmarks;

/// <summary>
/// An 8-bit grey image, row by row without padding: what dlib's shape predictor reads. Colour pixels become grey
/// exactly as dlib converts them, <c>(r + g + b) / 3</c> in integers (alpha ignored), so that the predictor sees the
/// values dlib would see for the same decoded RGB image.
/// </summary>
public sealed class GrayImage
{
    /// <summary>Wraps <paramref name="pixels"/> (not copied): <paramref name="width"/>·<paramref name="height"/>
    /// bytes, row by row.</summary>
    public GrayImage(int width, int height, byte[] pixels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.Length != (long)width * height)
        {
            throw new ArgumentException(
                $"{nameof(pixels)} must hold {nameof(width)}·{nameof(height)} = {(long)width * height} bytes; got " +
                $"{pixels.Length}.", nameof(pixels));
        }

        Width = width;
        Height = height;
        Pixels = pixels;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>The grey values, row by row (<c>Pixels[y * Width + x]</c>).</summary>
    public byte[] Pixels { get; }

    /// <summary>The grey value at (<paramref name="x"/>, <paramref name="y"/>).</summary>
    public byte this[int x, int y] => Pixels[y * Width + x];

    /// <summary>dlib's colour-to-grey conversion: the integer mean of red, green and blue.</summary>
    public static byte DlibGray(byte red, byte green, byte blue) => (byte)((red + green + blue) / 3);

    /// <summary>Converts interleaved pixels of <paramref name="channels"/> bytes each (1 grey; 3 RGB or BGR; 4
    /// RGBA or BGRA, alpha ignored as dlib ignores it) with rows <paramref name="stride"/> bytes apart.</summary>
    /// <param name="data">The pixel bytes.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    /// <param name="stride">Bytes from one row to the next (at least width·channels).</param>
    /// <param name="channels">Bytes per pixel: 1, 3 or 4.</param>
    public static GrayImage FromInterleaved(ReadOnlySpan<byte> data, int width, int height, int stride, int channels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (channels is not (1 or 3 or 4))
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "Expected 1, 3 or 4 bytes per pixel.");
        }

        if (stride < width * channels)
        {
            throw new ArgumentOutOfRangeException(nameof(stride), stride,
                $"A row of {width} pixels of {channels} bytes needs a stride of at least {width * channels}.");
        }

        var needed = (long)stride * (height - 1) + (long)width * channels;
        if (data.Length < needed)
        {
            throw new ArgumentException(
                $"{nameof(data)} must hold at least {needed} bytes for {width}×{height} pixels with stride {stride}; " +
                $"got {data.Length}.", nameof(data));
        }

        var pixels = new byte[width * height];
        for (var y = 0; y < height; y++)
        {
            var row = data.Slice(y * stride, width * channels);
            var target = pixels.AsSpan(y * width, width);
            if (channels == 1)
            {
                row.CopyTo(target);
                continue;
            }

            for (int x = 0, i = 0; x < width; x++, i += channels)
            {
                // The channel order does not matter: the mean is symmetric.
                target[x] = DlibGray(row[i], row[i + 1], row[i + 2]);
            }
        }

        return new GrayImage(width, height, pixels);
    }
}
