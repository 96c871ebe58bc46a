using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using PrivilegedAttribution.Landmarks.Datasets;
using PrivilegedAttribution.Landmarks.SkiaSharp;

namespace PrivilegedAttribution.Landmarks.Tests;

/// <summary>A truncated image is an error naming the file, never a grey face; an image declaring more than
/// <see cref="SkiaImages.MaxPixelCount"/> pixels is reported with its file and size before anything is allocated;
/// the loaders and the landmark cache report both as unreadable records and cache nothing for them.</summary>
[TestFixture]
public sealed class BadImageTests
{
    private string _folder = "";

    [SetUp]
    public void CreateFolder()
    {
        _folder = Path.Combine(Path.GetTempPath(), $"pa-landmarks-bad-images-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_folder);
    }

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    /// <summary>The first <paramref name="fraction"/> of a photo of the face fixture, written to
    /// <paramref name="path"/>.</summary>
    private static void WriteTruncated(string photo, double fraction, string path)
    {
        var bytes = File.ReadAllBytes(Path.Combine(TestData.FaceFixture, "photos", photo));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes[..(int)(bytes.Length * fraction)]);
    }

    /// <summary>A well-formed PNG whose header (IHDR, correct CRC) declares
    /// <paramref name="width"/>×<paramref name="height"/> RGB pixels, followed by one tiny IDAT.</summary>
    private static void WritePngHeader(string path, int width, int height)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // RGB; compression, filter and interlace stay 0
        var idat = new MemoryStream();
        using (var zlib = new ZLibStream(idat, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(new byte[64]);
        }

        using var file = File.Create(path);
        file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        WriteChunk(file, "IHDR", ihdr);
        WriteChunk(file, "IDAT", idat.ToArray());
        WriteChunk(file, "IEND", []);
    }

    private static void WriteChunk(Stream stream, string type, byte[] data)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
        Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(chunk.AsSpan(4, 4 + data.Length)));
        stream.Write(chunk);
    }

    /// <summary>PNG's CRC-32 (ISO 3309, reflected polynomial 0xEDB88320), bit by bit.</summary>
    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }

    [TestCase("grace_hopper.jpg", 0.02, TestName = "a JPEG cut to 2 % of its bytes is an error")]
    [TestCase("grace_hopper.jpg", 0.5, TestName = "a JPEG cut in half is an error")]
    [TestCase("grace_hopper.jpg", 0.9, TestName = "a progressive JPEG cut after most of its scans is an error")]
    [TestCase("astronaut.png", 0.5, TestName = "a PNG cut in half is an error")]
    public void ATruncatedImageIsAnErrorNamingTheFile(string photo, double fraction)
    {
        var path = Path.Combine(_folder, "cut" + Path.GetExtension(photo));
        WriteTruncated(photo, fraction, path);

        var error = Assert.Throws<InvalidDataException>(() => SkiaImages.DecodeRgba(path).Dispose());
        Assert.That(error.Message, Does.Contain(path).And.Contain("truncated"));
        Assert.Throws<InvalidDataException>(() => SkiaGrayImageDecoder.Instance.Decode(path));
    }

    [Test]
    public void TheWholePhotoStillDecodes()
    {
        var path = Path.Combine(_folder, "whole.jpg");
        WriteTruncated("grace_hopper.jpg", 1.0, path);

        var image = SkiaGrayImageDecoder.Instance.Decode(path);

        Assert.That((image.Width, image.Height), Is.EqualTo((512, 512)));
    }

    [Test]
    public void AJpegWithoutItsEndOfImageMarkerIsAnError()
    {
        var bytes = File.ReadAllBytes(Path.Combine(TestData.FaceFixture, "photos", "grace_hopper.jpg"));
        Assert.That(bytes[^2..], Is.EqualTo(new byte[] { 0xFF, 0xD9 }), "the photo ends with its end-of-image marker");
        var path = Path.Combine(_folder, "no-eoi.jpg");
        File.WriteAllBytes(path, bytes[..^2]);

        var error = Assert.Throws<InvalidDataException>(() => SkiaImages.DecodeRgba(path).Dispose());
        Assert.That(error.Message, Does.Contain(path).And.Contain("end-of-image marker"));
    }

    [Test]
    public void BytesAfterTheEndOfImageMarkerAreIgnored()
    {
        var bytes = File.ReadAllBytes(Path.Combine(TestData.FaceFixture, "photos", "grace_hopper.jpg"));
        var path = Path.Combine(_folder, "trailer.jpg");
        File.WriteAllBytes(path, [.. bytes, .. "a camera's trailer"u8.ToArray(), 0xFF, 0xDA, 0x00]);

        var image = SkiaGrayImageDecoder.Instance.Decode(path);

        var whole = Path.Combine(_folder, "whole.jpg");
        File.WriteAllBytes(whole, bytes);
        Assert.That(image.Pixels, Is.EqualTo(SkiaGrayImageDecoder.Instance.Decode(whole).Pixels));
    }

    [TestCase(100000, 100000, TestName = "a PNG declaring 100000 x 100000 pixels is reported")]
    [TestCase(8193, 8192, TestName = "a PNG declaring one row more than the limit is reported")]
    public void AnImageDeclaringTooManyPixelsIsReportedWithItsFileAndSize(int width, int height)
    {
        var path = Path.Combine(_folder, "huge.png");
        WritePngHeader(path, width, height);

        var error = Assert.Throws<InvalidDataException>(() => SkiaImages.DecodeRgba(path).Dispose());

        Assert.That(error.Message, Does.Contain(path).And.Contain($"{width}×{height}")
            .And.Contain(((long)width * height).ToString()).And.Contain(SkiaImages.MaxPixelCount.ToString()));
    }

    [Test]
    public void A_35_byte_gif_declaring_a_huge_canvas_is_refused_before_decoding()
    {
        // What the fuzzer found: a GIF's canvas is one header field, so 35 bytes declared 65506 × 4096 pixels and
        // decoded to 1 GiB of RGBA. A logical screen of 65506 × 4096, then one 1 × 1 frame.
        byte[] gif =
        [
            .. "GIF89a"u8, 0xE2, 0xFF, 0x00, 0x10, 0x00, 0x00, 0x00,
            0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0x00, 0x02, 0x02, 0x4C, 0x01, 0x00, 0x3B,
        ];
        var path = Path.Combine(_folder, "canvas.gif");
        File.WriteAllBytes(path, gif);

        var error = Assert.Throws<InvalidDataException>(() => SkiaImages.DecodeRgba(path).Dispose());

        Assert.That(error.Message, Does.Contain(path).And.Contain("65506×4096"));
    }

    [Test]
    public void TheLimitIsTwoToThe26Pixels() => Assert.That(SkiaImages.MaxPixelCount, Is.EqualTo(8192L * 8192));

    private DatasetFixture GenericWithBadImages()
    {
        var fixture = DatasetFixture.Create("generic", ["faces/alice.jpg"], []);
        WriteTruncated("grace_hopper.jpg", 0.02, fixture["faces/cut.jpg"]);
        WritePngHeader(fixture["faces/huge.png"], 100000, 100000);
        File.WriteAllLines(fixture["bad-images.csv"],
        [
            "image,label,face_x,face_y,face_width,face_height",
            "faces/alice.jpg,0,8,8,100,100",
            "faces/cut.jpg,0,161,113,216,216",
            "faces/huge.png,0,8,8,100,100",
        ]);
        return fixture;
    }

    [Test]
    public void VerifyingImagesReportsTruncatedAndOversizedOnesWithFileAndLine()
    {
        using var fixture = GenericWithBadImages();
        var options = new DatasetLoadOptions { VerifyImagesWith = SkiaGrayImageDecoder.Instance };

        var dataset = GenericCsvLoader.Load(fixture["bad-images.csv"], options: options);

        Assert.That(dataset.Records.Select(r => r.Line), Is.EqualTo(new[] { 2 }));
        Assert.That(dataset.Problems.Select(p => (Path.GetFileName(p.File), p.Line, p.Kind)), Is.EqualTo(new[]
        {
            ("bad-images.csv", 3, DatasetProblemKind.UnreadableImage),
            ("bad-images.csv", 4, DatasetProblemKind.UnreadableImage),
        }));
        Assert.That(dataset.Problems[0].Message, Does.Contain("cut.jpg").And.Contain("truncated"));
        Assert.That(dataset.Problems[1].Message, Does.Contain("huge.png").And.Contain("100000×100000"));

        var error = Assert.Throws<DatasetException>(() => GenericCsvLoader.Load(fixture["bad-images.csv"],
            options: options with { OnBadRecord = BadRecordPolicy.Fail }));
        Assert.That(error.Message, Does.Contain("bad-images.csv:3").And.Contain("bad-images.csv:4"));
    }

    [Test]
    public void TheCacheNeitherPredictsNorCachesATruncatedOrOversizedImage()
    {
        using var fixture = GenericWithBadImages();

        var completed = LandmarkCache.Complete(GenericCsvLoader.Load(fixture["bad-images.csv"]), TestData.Predictor,
            SkiaGrayImageDecoder.Instance);

        Assert.That(completed.Records.Select(r => Path.GetFileName(r.ImagePath)), Is.EqualTo(new[] { "alice.jpg" }));
        Assert.That(completed.Problems.Select(p => (p.Line, p.Kind)), Is.EqualTo(new[]
        {
            (3, DatasetProblemKind.UnreadableImage), (4, DatasetProblemKind.UnreadableImage),
        }));
        Assert.That(completed.Problems[0].Message, Does.Contain("truncated"));
        var cache = File.ReadAllText(fixture[LandmarkCache.FileName]);
        Assert.That(cache, Does.Contain("faces/alice.jpg").And.Not.Contain("cut.jpg").And.Not.Contain("huge.png"));
    }
}
