namespace PrivilegedAttribution.Landmarks.Tests;

/// <summary>The textured RGB test pattern of tools/dlib-reference (make_synthetic), generated identically here so
/// that the reference cases named "synthetic:W:H:SEED" need no image file.</summary>
internal static class SyntheticImage
{
    public static byte[] Rgb(int width, int height, uint seed)
    {
        var rgb = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var h = (uint)x * 73856093u ^ (uint)y * 19349663u ^ seed * 83492791u;
                h ^= h >> 13;
                h *= 0x5bd1e995u;
                h ^= h >> 15;
                var smooth = (uint)(x * 255L / (width > 1 ? width - 1 : 1));
                var i = 3 * (y * width + x);
                rgb[i] = (byte)((smooth + (h & 0x3f)) & 0xff);
                rgb[i + 1] = (byte)((h >> 8) & 0xff);
                rgb[i + 2] = (byte)(((uint)y * 3 + (h >> 24)) & 0xff);
            }
        }

        return rgb;
    }

    public static GrayImage Gray(int width, int height, uint seed) =>
        GrayImage.FromInterleaved(Rgb(width, height, seed), width, height, width * 3, 3);
}
