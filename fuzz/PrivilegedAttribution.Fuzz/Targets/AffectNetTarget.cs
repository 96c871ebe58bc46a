using PrivilegedAttribution.Landmarks.Datasets;

namespace PrivilegedAttribution.Fuzz.Targets;

/// <summary><see cref="AffectNetLoader.Load"/> on the input as training.csv, with 8 and with 7 classes; the images
/// the seeds name (1/a.jpg, 1/b.png, 2/c.jpg) exist, empty.</summary>
internal sealed class AffectNetTarget : FuzzTarget
{
    public override string Name => "affectnet";

    public override string Description => "AffectNet CSV (training.csv): AffectNetLoader.Load with 8 and 7 classes";

    public override void Prepare(string folder)
    {
        Directory.CreateDirectory(Path.Combine(folder, "1"));
        Directory.CreateDirectory(Path.Combine(folder, "2"));
        foreach (var image in new[] { "1/a.jpg", "1/b.png", "2/c.jpg" })
        {
            File.WriteAllBytes(Path.Combine(folder, image), []);
        }
    }

    public override void Run(byte[] input, string folder)
    {
        var csv = Path.Combine(folder, "training.csv");
        File.WriteAllBytes(csv, input);
        DatasetChecks.Check(AffectNetLoader.Load(csv));
        DatasetChecks.Check(AffectNetLoader.Load(csv, folder, classCount: 7,
            new DatasetLoadOptions { OnBadRecord = BadRecordPolicy.Fail }));
    }

    /// <summary>The loader documents <see cref="InvalidDataException"/> for a bad header or an unclosed quote and
    /// <see cref="DatasetException"/> for bad records under <see cref="BadRecordPolicy.Fail"/>.</summary>
    public override bool IsExpected(Exception exception) =>
        exception is InvalidDataException or DatasetException;
}
