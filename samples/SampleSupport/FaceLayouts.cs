using PrivilegedAttribution.Landmarks;
using PrivilegedAttribution.Landmarks.Datasets;
using PrivilegedAttribution.Landmarks.SkiaSharp;

namespace PrivilegedAttribution.Samples;

/// <summary>Where the face data is and how it is laid out (see samples/FacialExpression/README.md).</summary>
/// <param name="Layout">rafdb, affectnet or generic.</param>
/// <param name="Data">RAF-DB: the basic folder; AffectNet: training.csv; generic: the CSV.</param>
/// <param name="TestData">AffectNet: validation.csv; generic: an optional second CSV (else a stratified split).</param>
/// <param name="ImageRoot">AffectNet: the folder image paths are relative to.</param>
/// <param name="Classes">AffectNet: 7 or 8.</param>
/// <param name="Original">RAF-DB: original images with their boxes instead of the aligned crops.</param>
/// <param name="FailOnBadRecord">Fail instead of skipping (and reporting) bad records.</param>
/// <param name="TestFraction">Generic layout without a test CSV: the fraction held out.</param>
public sealed record DataSettings(
    string Layout,
    string Data,
    string? TestData,
    string? ImageRoot,
    int Classes,
    bool Original,
    bool FailOnBadRecord,
    double TestFraction);

/// <summary>Loads the train and test sets of any supported layout and completes their landmarks.</summary>
public static class FaceLayouts
{
    public static (FaceDataset Train, FaceDataset Test) Load(DataSettings settings, ShapePredictor? predictor)
    {
        var options = new DatasetLoadOptions
        {
            OnBadRecord = settings.FailOnBadRecord ? BadRecordPolicy.Fail : BadRecordPolicy.Skip,
        };
        FaceDataset train, test;
        switch (settings.Layout)
        {
            case "rafdb":
                var images = settings.Original ? RafDbImages.Original : RafDbImages.Aligned;
                train = RafDbLoader.Load(settings.Data, DatasetSplit.Train, images, options);
                test = RafDbLoader.Load(settings.Data, DatasetSplit.Test, images, options);
                break;
            case "affectnet":
                train = AffectNetLoader.Load(settings.Data, settings.ImageRoot, settings.Classes, options);
                test = settings.TestData is null
                    ? throw new ArgumentException("AffectNet needs --test-data validation.csv.")
                    : AffectNetLoader.Load(settings.TestData, settings.ImageRoot, settings.Classes, options);
                break;
            case "generic":
                train = GenericCsvLoader.Load(settings.Data, options: options);
                if (settings.TestData is not null)
                {
                    test = GenericCsvLoader.Load(settings.TestData, train.ClassNames, options);
                }
                else
                {
                    (train, test) = Split(train, settings.TestFraction);
                }

                break;
            default:
                throw new ArgumentException($"Unknown layout '{settings.Layout}': use rafdb, affectnet or generic.");
        }

        Report("train", train);
        Report("test", test);
        if (predictor is not null)
        {
            var policy = options.OnBadRecord;
            train = LandmarkProgressBar.Run("landmarks (train)",
                progress => LandmarkCache.Complete(train, predictor, SkiaGrayImageDecoder.Instance, policy, progress));
            test = LandmarkProgressBar.Run("landmarks (test)",
                progress => LandmarkCache.Complete(test, predictor, SkiaGrayImageDecoder.Instance, policy, progress));
        }

        return (train, test);
    }

    /// <summary>Prints the dataset summary and every bad record (never skipped silently).</summary>
    public static void Report(string name, FaceDataset dataset)
    {
        Console.WriteLine($"{name}: {dataset}");
        foreach (var problem in dataset.Problems)
        {
            Console.WriteLine($"  skipped {problem}");
        }
    }

    /// <summary>A stratified split: the first fraction of each class, in file order, goes to the test set.</summary>
    private static (FaceDataset Train, FaceDataset Test) Split(FaceDataset dataset, double testFraction)
    {
        var train = new List<FaceRecord>();
        var test = new List<FaceRecord>();
        foreach (var group in dataset.Records.GroupBy(r => r.Label))
        {
            var records = group.ToArray();
            var testCount = (int)Math.Round(records.Length * testFraction);
            for (var i = 0; i < records.Length; i++)
            {
                (i < testCount ? test : train).Add(records[i]);
            }
        }

        return (dataset.WithRecords(train), new FaceDataset(dataset.Root, dataset.ClassNames, test, []));
    }
}
