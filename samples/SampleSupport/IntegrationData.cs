using PrivilegedAttribution.Landmarks;

namespace PrivilegedAttribution.Samples;

/// <summary>What an integration sample trains and tests on: the embedded decoyed digits (stroke landmarks), or a
/// face folder (68 landmarks; RAF-DB basic layout or a generic CSV), with the heatmap prior that suits them.</summary>
/// <param name="Train">Training images.</param>
/// <param name="Test">Test images.</param>
/// <param name="Classes">Number of classes.</param>
/// <param name="Prior">Landmarks → heatmaps at the input size.</param>
/// <param name="Description">What the test images are, for figure titles.</param>
public sealed record IntegrationData(ILandmarkedImages Train, ILandmarkedImages Test, int Classes, HeatmapPrior Prior,
    string Description) : IDisposable
{
    /// <summary>The faces of <see cref="IntegrationOptions.Faces"/> when given, else the decoyed digits.</summary>
    public static IntegrationData Load(IntegrationOptions options)
    {
        var size = options.ImageSize;
        if (options.Faces is null)
        {
            var (train, test) = UpscaledDecoyDigits.Load(options.Data, options.TrainSize, options.TestSize, size);
            Console.WriteLine($"{train.Count} training and {test.Count} test digits, {size}×{size}, decoy patch " +
                              "in a corner");
            return new IntegrationData(train, test, 10, new HeatmapPrior(size, size, sigma: 2.0 * size / 28),
                "lying decoys");
        }

        // Landmarks a dataset lacks are predicted once (dlib's model in C#) and cached beside the data.
        var (trainSet, testSet) = FaceLayouts.Load(
            new DataSettings(options.Layout, options.Faces, TestData: null, ImageRoot: null, Classes: 7,
                Original: false, FailOnBadRecord: false, TestFraction: 0.2),
            ShapePredictor.Load());
        var trainFaces = FaceImages.Prepare(trainSet, size);
        var testFaces = FaceImages.Prepare(testSet, size);
        Console.WriteLine($"{trainFaces.Count} training and {testFaces.Count} test faces, {size}×{size}, " +
                          $"{trainFaces.ClassNames.Count} classes");
        return new IntegrationData(new FaceFolderImages(trainFaces), new FaceFolderImages(testFaces),
            trainFaces.ClassNames.Count,
            new HeatmapPrior(size, size, sigma: 6.0 * size / 112, regions: LandmarkRegion.InnerFace), "test faces");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Train.Dispose();
        Test.Dispose();
        Prior.Dispose();
    }
}
