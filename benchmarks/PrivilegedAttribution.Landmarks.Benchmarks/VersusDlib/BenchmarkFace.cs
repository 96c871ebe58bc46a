namespace PrivilegedAttribution.Landmarks.Benchmarks.VersusDlib;

/// <summary>One face of the side-by-side benchmark: a decoded grey image and the box both predictors get.</summary>
/// <param name="Name">Where it comes from, e.g. "photos/astronaut.png".</param>
/// <param name="Image">dlib's grey values of the image.</param>
/// <param name="Box">The face box (dlib rectangle, inclusive corners).</param>
public sealed record BenchmarkFace(string Name, GrayImage Image, FaceBox Box);
