namespace PrivilegedAttribution.Landmarks;

/// <summary>Decodes an image file to dlib's grey values. The package ships no decoder, so that it works with any
/// (PrivilegedAttribution.Landmarks.SkiaSharp has one); loaders need one only to predict missing landmarks.</summary>
public interface IGrayImageDecoder
{
    /// <summary>Decodes <paramref name="path"/>; throws when the file cannot be read or decoded completely (a
    /// truncated file is an error, not an image with filled-in rows), naming the file.</summary>
    GrayImage Decode(string path);
}
