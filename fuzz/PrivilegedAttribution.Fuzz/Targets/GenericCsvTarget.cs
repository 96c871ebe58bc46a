using PrivilegedAttribution.Landmarks.Datasets;

namespace PrivilegedAttribution.Fuzz.Targets;

/// <summary><see cref="GenericCsvLoader.Load"/> on a folder made from the input's sections: the CSV, then
/// classes.txt (absent when the input has one section); the images the seeds name (faces/alice.jpg,
/// faces/bob.png, carol.jpg) exist, empty.</summary>
internal sealed class GenericCsvTarget : FuzzTarget
{
    public override string Name => "generic-csv";

    public override string Description => "generic CSV: faces.csv %% classes.txt (GenericCsvLoader.Load)";

    public override void Prepare(string folder)
    {
        Directory.CreateDirectory(Path.Combine(folder, "faces"));
        foreach (var image in new[] { "faces/alice.jpg", "faces/bob.png", "carol.jpg" })
        {
            File.WriteAllBytes(Path.Combine(folder, image), []);
        }
    }

    public override void Run(byte[] input, string folder)
    {
        var sections = InputSections.Split(input, 2);
        var csv = Path.Combine(folder, "faces.csv");
        File.WriteAllBytes(csv, sections[0] ?? []);
        InputSections.WriteOrDelete(Path.Combine(folder, GenericCsvLoader.ClassFile), sections[1]);
        DatasetChecks.Check(GenericCsvLoader.Load(csv));
        DatasetChecks.Check(GenericCsvLoader.Load(csv, ["Anger", "Happiness", "Sadness"],
            new DatasetLoadOptions { OnBadRecord = BadRecordPolicy.Fail }));
    }

    /// <summary>The loader documents <see cref="InvalidDataException"/> (bad header, unclosed quote),
    /// <see cref="DatasetException"/> (bad records under <see cref="BadRecordPolicy.Fail"/>), a missing classes.txt
    /// (<see cref="FileNotFoundException"/>) and fewer than two classes (an <see cref="ArgumentException"/> naming
    /// classNames).</summary>
    public override bool IsExpected(Exception exception) =>
        exception is InvalidDataException or DatasetException or FileNotFoundException ||
        exception is ArgumentException { ParamName: "classNames" };
}
