namespace PrivilegedAttribution.Landmarks;

/// <summary>A landmark in image pixels (pixel centres at integer coordinates, as dlib and
/// <c>HeatmapPrior</c> use them).</summary>
/// <param name="X">Column.</param>
/// <param name="Y">Row.</param>
public readonly record struct LandmarkPoint(double X, double Y)
{
    /// <summary>The point rounded as dlib rounds it into a <c>dlib::point</c>: <c>floor(v + 0.5)</c>.</summary>
    public LandmarkPoint Rounded() => new(Math.Floor(X + 0.5), Math.Floor(Y + 0.5));
}

/// <summary>
/// The landmarks the shape predictor found for one face box: the sub-pixel points (dlib's values before it rounds
/// them), and <see cref="Rounded"/>, exactly what dlib's <c>full_object_detection</c> holds. For the 68-point
/// model the order is iBUG-68's (jaw 0–16, brows 17–26, nose 27–35, eyes 36–47, mouth 48–67).
/// </summary>
public sealed class FaceLandmarks
{
    private readonly LandmarkPoint[] _points;

    internal FaceLandmarks(FaceBox box, LandmarkPoint[] points)
    {
        Box = box;
        _points = points;
    }

    /// <summary>The face box the points were predicted in.</summary>
    public FaceBox Box { get; }

    /// <summary>The number of points (68 for the iBUG model).</summary>
    public int Count => _points.Length;

    /// <summary>The sub-pixel points.</summary>
    public IReadOnlyList<LandmarkPoint> Points => _points;

    /// <summary>The points rounded as dlib rounds them (its <c>full_object_detection</c> parts).</summary>
    public IReadOnlyList<LandmarkPoint> Rounded => Array.ConvertAll(_points, p => p.Rounded());

    /// <summary>Point <paramref name="index"/>, sub-pixel.</summary>
    public LandmarkPoint this[int index] => _points[index];

    /// <summary>The points as x0, y0, x1, y1, … (the (K,2) layout of a landmark tensor).</summary>
    /// <param name="rounded">Round as dlib does instead of keeping sub-pixel values.</param>
    public float[] ToInterleaved(bool rounded = false)
    {
        var values = new float[_points.Length * 2];
        for (var i = 0; i < _points.Length; i++)
        {
            var p = rounded ? _points[i].Rounded() : _points[i];
            values[2 * i] = (float)p.X;
            values[2 * i + 1] = (float)p.Y;
        }

        return values;
    }
}
