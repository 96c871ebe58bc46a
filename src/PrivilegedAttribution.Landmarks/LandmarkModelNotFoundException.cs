namespace PrivilegedAttribution.Landmarks;

/// <summary>The dlib landmark model file is missing; the message says how to install it.</summary>
public sealed class LandmarkModelNotFoundException : FileNotFoundException
{
    internal LandmarkModelNotFoundException(string path, bool explicitPath)
        : base(BuildMessage(path, explicitPath), path)
    {
    }

    private static string BuildMessage(string path, bool explicitPath)
    {
        var origin = explicitPath
            ? "the path given"
            : $"the default (set {ShapePredictor.ModelPathEnvironmentVariable} or pass a path to change it)";
        return $"The dlib 68-point landmark model was not found at '{path}' ({origin}). On Debian or Ubuntu install " +
            "it with 'sudo apt-get install libdlib-data', which puts it at " +
            $"{ShapePredictor.DefaultModelPath}. Elsewhere, take shape_predictor_68_face_landmarks.dat from dlib's " +
            "model collection (decompress the .bz2) and pass its path. Licence: CC0 in Debian; dlib's author asks " +
            "that it not be used commercially because of its training data (iBUG 300-W).";
    }
}
