using System.Globalization;
using System.Text;

namespace PrivilegedAttribution.Landmarks.Datasets;

/// <summary>Landmark coordinates as text: "x0;y0;x1;y1;…" (AffectNet's facial_landmarks, the generic CSV's
/// landmarks, the landmark cache), and single coordinates (RAF-DB's point files), always in the invariant
/// culture.</summary>
internal static class PointList
{
    /// <summary>Reads one coordinate: a finite number, invariant culture.</summary>
    public static bool TryParseCoordinate(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    /// <summary>Parses "x0;y0;x1;y1;…". Returns null when a value is not a finite number, or not one in float's
    /// range (1e39 would become +∞); the count is checked by the caller.</summary>
    public static float[]? Parse(string text)
    {
        var parts = text.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var values = new float[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!TryParseCoordinate(parts[i], out var v) || !float.IsFinite((float)v))
            {
                return null;
            }

            values[i] = (float)v;
        }

        return values;
    }

    /// <summary>Writes "x0;y0;x1;y1;…", each value round-tripping exactly.</summary>
    public static string Format(ReadOnlySpan<float> values)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < values.Length; i++)
        {
            if (i > 0)
            {
                builder.Append(';');
            }

            builder.Append(values[i].ToString("R", CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }
}
