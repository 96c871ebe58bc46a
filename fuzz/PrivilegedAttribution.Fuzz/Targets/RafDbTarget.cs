using PrivilegedAttribution.Landmarks.Datasets;

namespace PrivilegedAttribution.Fuzz.Targets;

/// <summary>
/// <see cref="RafDbLoader.Load"/> on a basic folder made from the input's sections: the label list, then the text
/// of every bounding-box file, every manual and every auto annotation file (one text each, written for each of the
/// image names the folder has). The images exist, empty: decoding is the image target's work.
/// </summary>
internal sealed class RafDbTarget : FuzzTarget
{
    private static readonly string[] Stems = ["train_00001", "train_00002", "train_00003", "test_00001"];

    public override string Name => "rafdb";

    public override string Description =>
        "RAF-DB basic folder: list_patition_label.txt %% boundingbox %% manual %% auto annotation (RafDbLoader.Load)";

    public override void Prepare(string folder)
    {
        foreach (var sub in new[] { "EmoLabel", "Image/aligned", "Image/original", "Annotation/boundingbox",
                     "Annotation/manual", "Annotation/auto" })
        {
            Directory.CreateDirectory(Path.Combine(folder, sub));
        }

        foreach (var stem in Stems)
        {
            File.WriteAllBytes(Path.Combine(folder, "Image", "aligned", stem + "_aligned.jpg"), []);
            File.WriteAllBytes(Path.Combine(folder, "Image", "original", stem + ".jpg"), []);
        }
    }

    public override void Run(byte[] input, string folder)
    {
        var sections = InputSections.Split(input, 4);
        File.WriteAllBytes(Path.Combine(folder, RafDbLoader.LabelFile), sections[0] ?? []);
        foreach (var stem in Stems)
        {
            var annotation = Path.Combine(folder, "Annotation");
            InputSections.WriteOrDelete(Path.Combine(annotation, "boundingbox", stem + "_boundingbox.txt"),
                sections[1]);
            InputSections.WriteOrDelete(Path.Combine(annotation, "manual", stem + "_manu_attri.txt"), sections[2]);
            InputSections.WriteOrDelete(Path.Combine(annotation, "auto", stem + "_auto_attri.txt"), sections[3]);
        }

        DatasetChecks.Check(RafDbLoader.Load(folder, DatasetSplit.All, RafDbImages.Original));
        DatasetChecks.Check(RafDbLoader.Load(folder, DatasetSplit.Train, RafDbImages.Aligned,
            new DatasetLoadOptions { OnBadRecord = BadRecordPolicy.Fail }));
    }

    public override bool IsExpected(Exception exception) => exception is DatasetException;
}
