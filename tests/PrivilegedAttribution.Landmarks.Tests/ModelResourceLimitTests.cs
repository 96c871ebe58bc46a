namespace PrivilegedAttribution.Landmarks.Tests;

/// <summary>
/// The model reader's resource limits: a count in a model file is checked against the bytes left before its arrays
/// are allocated, so that a corrupt or crafted header is refused with a message naming the file, the count and the
/// bytes, having allocated little more than the reader's buffer. The inputs under Fixtures/Fuzz/dlib-model are the
/// fuzzing target's findings (scripts/fuzz.sh dlib-model).
/// </summary>
[TestFixture]
public sealed class ModelResourceLimitTests
{
    /// <summary>The reader's 1 MB buffer, the exception and its message: far below what the headers claim.</summary>
    private const long AllocationBound = 4 << 20;

    [TestCase("billion-points.dat", "initial shape: 1073741823 elements need at least 4294967292 bytes")]
    [TestCase("sixteen-million-splits.dat", "cascade 0 tree 0: splits: 16777215 elements need at least")]
    [TestCase("sixteen-million-trees.dat", "cascade 0: trees: 16777216 elements need at least")]
    public void AHeaderClaimingMoreThanTheFileHoldsIsRefusedBeforeAllocating(string file, string message)
    {
        var path = TestData.FixtureFile(Path.Combine("Fuzz", "dlib-model", file));
        // A first read compiles the reader, so that only the refused read is counted below.
        Assert.Throws<InvalidDataException>(() => ShapePredictor.Load(path));
        var before = GC.GetAllocatedBytesForCurrentThread();

        var error = Assert.Throws<InvalidDataException>(() => ShapePredictor.Load(path));

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(error!.Message, Does.Contain(path).And.Contain(message).And.Contain("bytes are left"));
        Assert.That(allocated, Is.LessThan(AllocationBound));
    }

    [Test]
    public void AStreamThatCannotSeekIsHeldToTheSameBound()
    {
        var bytes = File.ReadAllBytes(TestData.FixtureFile(Path.Combine("Fuzz", "dlib-model", "billion-points.dat")));
        var before = GC.GetAllocatedBytesForCurrentThread();

        var error = Assert.Throws<InvalidDataException>(() =>
            ShapePredictor.Read(new ForwardOnlyStream(bytes), "piped model"));

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(error!.Message, Does.StartWith("piped model").And.Contain("1073741823 elements"));
        Assert.That(allocated, Is.LessThan(AllocationBound));
    }

    [Test]
    public void AModelLargerThanTheLimitIsRefusedUnread()
    {
        var error = Assert.Throws<InvalidDataException>(() =>
            ShapePredictor.Read(new ClaimedLengthStream(ShapePredictor.MaxModelBytes + 1), "huge model"));

        Assert.That(error!.Message, Does.Contain("huge model").And.Contain("1073741825 bytes")
            .And.Contain("ShapePredictor.MaxModelBytes"));
    }

    [TestCase(float.NaN, "split threshold: ")]
    [TestCase(float.PositiveInfinity, "leaf value: ")]
    public void ANonFiniteThresholdOrLeafIsRefused(float value, string message)
    {
        var isThreshold = message.StartsWith("split", StringComparison.Ordinal);
        var writer = new DlibModelWriter().Signed(1).Column(0.25f, 0.5f, 0.75f, 0.5f).Unsigned(1).Unsigned(1);
        writer.Unsigned(1).Unsigned(0).Unsigned(1);
        NonFinite(writer, isThreshold ? value : 10f);
        writer.Unsigned(2).Signed(-4).Signed(-1).Float(0f).Float(0f).Float(0f);
        NonFinite(writer, isThreshold ? 0f : value);
        writer.Column(0f, 0f, 0f, 0f);
        writer.Unsigned(1).Unsigned(2).Unsigned(0).Unsigned(1).Unsigned(1).Unsigned(2);
        writer.Float(0f).Float(0f).Float(0f).Float(0f);

        var error = Assert.Throws<InvalidDataException>(() =>
            ShapePredictor.Read(new MemoryStream(writer.ToArray()), "test model"));

        Assert.That(error!.Message, Does.Contain(message).And.Contain("a finite number is required"));
    }

    /// <summary>dlib's encoding of NaN (exponent 32002) and +∞ (32000); finite values as usual.</summary>
    private static void NonFinite(DlibModelWriter writer, float value)
    {
        if (float.IsFinite(value))
        {
            writer.Float(value);
            return;
        }

        writer.Signed(0).Signed(float.IsNaN(value) ? 32002 : 32000);
    }

    /// <summary>A stream that reads forward only, as a pipe or a network stream does.</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }
    }

    /// <summary>A seekable stream that claims <paramref name="length"/> bytes and must not be read.</summary>
    private sealed class ClaimedLengthStream(long length) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get; set; }

        public override int Read(byte[] buffer, int offset, int count) =>
            throw new AssertionException("the reader read a stream over the size limit");

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
