using System.Text;

namespace PrivilegedAttribution.Landmarks.Benchmarks.VersusDlib;

/// <summary>
/// Writes faces for <c>dlib-reference time</c> (tools/dlib-reference/dlib_timing.cpp), so that dlib predicts on the
/// very grey pixels and boxes that <see cref="ShapePredictor"/> gets (no JPEG decoder difference between the two
/// sides): little-endian, "PAFACES1", a uint32 count, then per face int32 width and height, four int64 box corners
/// (left, top, right, bottom) and width·height grey bytes, row by row.
/// </summary>
public static class FacesFile
{
    /// <summary>Writes <paramref name="faces"/> to <paramref name="path"/>.</summary>
    public static void Write(string path, IReadOnlyList<BenchmarkFace> faces)
    {
        ArgumentNullException.ThrowIfNull(faces);
        using var stream = File.Create(path);
        using var writer = new BinaryWriter(stream, Encoding.ASCII); // BinaryWriter is little-endian everywhere
        writer.Write("PAFACES1"u8);
        writer.Write((uint)faces.Count);
        foreach (var face in faces)
        {
            writer.Write(face.Image.Width);
            writer.Write(face.Image.Height);
            writer.Write(face.Box.Left);
            writer.Write(face.Box.Top);
            writer.Write(face.Box.Right);
            writer.Write(face.Box.Bottom);
            writer.Write(face.Image.Pixels);
        }
    }
}
