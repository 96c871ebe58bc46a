using PrivilegedAttribution.Landmarks;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Samples;

/// <summary>What an integration sample trains, validates and tests on: the embedded decoyed digits (stroke
/// landmarks), or a face folder (68 landmarks; RAF-DB basic layout or a generic CSV), with the heatmap prior that
/// suits them.</summary>
/// <remarks>Built by <see cref="Load"/>; <c>owned</c> is what <see cref="Dispose"/> frees (the image sets may be views
/// of it).</remarks>
public sealed class IntegrationData(ILandmarkedImages train, ILandmarkedImages validation, ILandmarkedImages test,
    ILandmarkedImages? cleanTest, Tensor? testDecoyMask, int classes, HeatmapPrior prior, string description,
    params IDisposable[] owned) : IDisposable
{
    /// <summary>Training images.</summary>
    public ILandmarkedImages Train { get; } = train;

    /// <summary>Held out of the training images: per-epoch curves and the choice of settings.</summary>
    public ILandmarkedImages Validation { get; } = validation;

    /// <summary>Test images (digits: with lying decoys).</summary>
    public ILandmarkedImages Test { get; } = test;

    /// <summary>The same test digits without decoy; null for faces.</summary>
    public ILandmarkedImages? CleanTest { get; } = cleanTest;

    /// <summary>(N,1,S,S) bool: where the test digits' decoys lie; null for faces.</summary>
    public Tensor? TestDecoyMask { get; } = testDecoyMask;

    /// <summary>Number of classes.</summary>
    public int Classes { get; } = classes;

    /// <summary>Landmarks → heatmaps at the input size.</summary>
    public HeatmapPrior Prior { get; } = prior;

    /// <summary>What the test images are, for figure titles.</summary>
    public string Description { get; } = description;

    /// <summary>The faces of <see cref="IntegrationOptions.Faces"/> when given, else the decoyed digits.</summary>
    public static IntegrationData Load(IntegrationOptions options)
    {
        var size = options.ImageSize;
        if (options.Faces is null)
        {
            var digits = UpscaledDecoyDigits.Load(options.Data, options.TrainSize, options.ValidationSize,
                options.TestSize, size, options.Decoy, options.DecoySize, options.DecoyFree);
            Console.WriteLine($"{digits.Train.Count} training, {digits.Validation.Count} validation (decoys of " +
                              $"random classes) and {digits.Test.Count} test digits (lying decoys), {size}×{size}; " +
                              new DecoyCue(options.Decoy, options.DecoySize) +
                              (options.DecoyFree > 0
                                  ? $"; {options.DecoyFree:P0} of the training digits without"
                                  : ""));
            var prior = new HeatmapPrior(size, size, sigma: 2.0 * size / 28);
            return new IntegrationData(digits.Train, digits.Validation, digits.Test, digits.CleanTest,
                digits.Test.DecoyMask, 10, prior, "lying decoys",
                digits.Train, digits.Validation, digits.Test, digits.CleanTest, prior);
        }

        // Landmarks a dataset lacks are predicted once (dlib's model in C#) and cached beside the data.
        var (trainSet, testSet) = FaceLayouts.Load(
            new DataSettings(options.Layout, options.Faces, TestData: null, ImageRoot: null, Classes: 7,
                Original: false, FailOnBadRecord: false, TestFraction: 0.2),
            ShapePredictor.Load());
        var trainFaces = FaceImages.Prepare(trainSet, size);
        var testFaces = FaceImages.Prepare(testSet, size);
        // A tenth of each class of the training faces is held out for validation.
        var (trainRows, validationRows) = ValidationSplit.Create(trainFaces.Labels, fraction: 0.1, seed: 5);
        var allTrain = new FaceFolderImages(trainFaces);
        var test = new FaceFolderImages(testFaces);
        var train = new IndexedImages(allTrain, trainRows);
        var validation = new IndexedImages(allTrain, validationRows);
        Console.WriteLine($"{train.Count} training, {validation.Count} validation and {test.Count} test faces, " +
                          $"{size}×{size}, {trainFaces.ClassNames.Count} classes");
        var facePrior = new HeatmapPrior(size, size, sigma: 6.0 * size / 112, regions: LandmarkRegion.InnerFace);
        return new IntegrationData(train, validation, test, cleanTest: null, testDecoyMask: null,
            trainFaces.ClassNames.Count, facePrior, "test faces", train, validation, allTrain, test, facePrior);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var disposable in owned)
        {
            disposable.Dispose();
        }
    }
}
