using System.Buffers.Binary;
using System.IO.Compression;

namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>
/// Reads MNIST-format idx files (LeCun's format, also used by Fashion-MNIST and KMNIST), plain or gzip-compressed:
/// images are idx3-ubyte (magic 0x00000803, N×H×W bytes), labels idx1-ubyte (magic 0x00000801, N bytes).
/// </summary>
public static class IdxFiles
{
    /// <summary>Loads one image file and its label file; pixels become byte/255.</summary>
    public static DigitImages Load(string imagesPath, string labelsPath)
    {
        var images = ReadAll(imagesPath);
        var labels = ReadAll(labelsPath);
        var (imageDims, imageData) = Parse(images, imagesPath, expectedType: 0x08, expectedRank: 3);
        var (labelDims, labelData) = Parse(labels, labelsPath, expectedType: 0x08, expectedRank: 1);
        if (imageDims[0] != labelDims[0])
        {
            throw new InvalidDataException(
                $"{imagesPath} holds {imageDims[0]} images but {labelsPath} holds {labelDims[0]} labels.");
        }

        var pixels = new float[imageData.Length];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = imageData[i] / 255f;
        }

        var classes = labelData.Length == 0 ? 1 : labelData.Max() + 1;
        return new DigitImages(pixels, labelData.Select(b => (int)b).ToArray(), imageDims[1], imageDims[2],
            Math.Max(classes, 10));
    }

    /// <summary>Loads every split found in <paramref name="folder"/> (<c>train-*</c> and <c>t10k-*</c> files, with or
    /// without <c>.gz</c>), concatenated, train first.</summary>
    public static DigitImages LoadFolder(string folder)
    {
        var parts = new List<DigitImages>();
        foreach (var split in new[] { "train", "t10k" })
        {
            var images = Find(folder, $"{split}-images-idx3-ubyte");
            var labels = Find(folder, $"{split}-labels-idx1-ubyte");
            if (images is not null && labels is not null)
            {
                parts.Add(Load(images, labels));
            }
        }

        if (parts.Count == 0)
        {
            throw new FileNotFoundException(
                $"{folder} holds no train-images-idx3-ubyte[.gz]/train-labels-idx1-ubyte[.gz] (or t10k-*) pair.");
        }

        var first = parts[0];
        return new DigitImages(parts.SelectMany(p => p.Pixels).ToArray(), parts.SelectMany(p => p.Labels).ToArray(),
            first.Height, first.Width, parts.Max(p => p.Classes));
    }

    private static string? Find(string folder, string stem) =>
        new[] { stem, stem + ".gz" }.Select(n => Path.Combine(folder, n)).FirstOrDefault(File.Exists);

    private static byte[] ReadAll(string path)
    {
        using var file = File.OpenRead(path);
        using var buffer = new MemoryStream();
        var gzip = file.ReadByte() == 0x1f && file.ReadByte() == 0x8b;
        file.Position = 0;
        if (gzip)
        {
            using var inflater = new GZipStream(file, CompressionMode.Decompress);
            inflater.CopyTo(buffer);
        }
        else
        {
            file.CopyTo(buffer);
        }

        return buffer.ToArray();
    }

    private static (int[] Dims, byte[] Data) Parse(byte[] bytes, string path, int expectedType, int expectedRank)
    {
        if (bytes.Length < 4 || bytes[0] != 0 || bytes[1] != 0 || bytes[2] != expectedType || bytes[3] != expectedRank)
        {
            throw new InvalidDataException(
                $"{path} is not an idx{expectedRank}-ubyte file (magic 0x0000{expectedType:X2}{expectedRank:X2}).");
        }

        var dims = new int[expectedRank];
        long count = 1;
        for (var d = 0; d < expectedRank; d++)
        {
            dims[d] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * d, 4));
            count *= dims[d];
        }

        var offset = 4 + 4 * expectedRank;
        if (bytes.Length - offset != count)
        {
            throw new InvalidDataException(
                $"{path}: the header promises {count} values but {bytes.Length - offset} follow.");
        }

        return (dims, bytes[offset..]);
    }
}
