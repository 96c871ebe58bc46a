using PrivilegedAttribution.Landmarks;

namespace PrivilegedAttribution.Fuzz.Targets;

/// <summary><see cref="ShapePredictor.Load"/> on the input as a model file; a model that loads must predict a face
/// and give its fingerprint.</summary>
internal sealed class DlibModelTarget : FuzzTarget
{
    private static readonly GrayImage Face = Gradient(24, 24);

    public override string Name => "dlib-model";

    public override string Description =>
        "dlib shape predictor model (.dat): ShapePredictor.Load, then Predict and Fingerprint on what loads";

    public override void Run(byte[] input, string folder)
    {
        var path = Path.Combine(folder, "model.dat");
        File.WriteAllBytes(path, input);
        var predictor = ShapePredictor.Load(path);
        var landmarks = predictor.Predict(Face, new FaceBox(2, 2, 21, 21));
        if (landmarks.Count != predictor.PartCount || predictor.Fingerprint.Length == 0)
        {
            throw new FuzzFindingException(
                $"{landmarks.Count} landmarks from a model of {predictor.PartCount} parts, or no fingerprint");
        }
    }

    public override bool IsExpected(Exception exception) => exception is InvalidDataException;

    private static GrayImage Gradient(int width, int height)
    {
        var pixels = new byte[width * height];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)(i * 37);
        }

        return new GrayImage(width, height, pixels);
    }
}
