namespace PrivilegedAttribution.Landmarks.SkiaSharp;

/// <summary>One cell of an <see cref="OverlayFigure"/>: an image, optionally a map of the same size painted over it,
/// and optionally landmarks drawn as dots.</summary>
/// <param name="Image">H·W grey values, or H·W·3 RGB values pixel by pixel, in [0, 1].</param>
/// <param name="Map">H·W attribution or heatmap values, or null for the image alone. Its magnitude is painted, scaled
/// to the cell's own 99th percentile, from transparent through red to yellow over the image in grey.</param>
/// <param name="Caption">Text under the cell (e.g. "7 → 7").</param>
/// <param name="Landmarks">(x, y) pairs in image pixels (pixel centres at integers), drawn as green dots; null for
/// none.</param>
public sealed record OverlayCell(float[] Image, float[]? Map, string Caption, float[]? Landmarks = null);
