using PrivilegedAttribution.Landmarks.SkiaSharp;

namespace PrivilegedAttribution.Fuzz.Targets;

/// <summary>The JPEG marker walk that tells a complete JPEG from one cut after its first scans
/// (<see cref="JpegEndOfImage.IsMissing"/>), on the input's bytes: it must return, whatever they are.</summary>
internal sealed class JpegEndOfImageTarget : FuzzTarget
{
    public override string Name => "jpeg-end";

    public override string Description => "JPEG marker walk to the end-of-image marker (JpegEndOfImage.IsMissing)";

    public override void Run(byte[] input, string folder) => _ = JpegEndOfImage.IsMissing(input);

    public override bool IsExpected(Exception exception) => false;

    public override long AllocationBudget(int inputLength) => 1L << 20;
}
