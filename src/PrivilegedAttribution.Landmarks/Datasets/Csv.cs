using System.Globalization;
using System.Text;

namespace PrivilegedAttribution.Landmarks.Datasets;

/// <summary>Just enough CSV: comma-separated fields, optionally double-quoted ("" for a quote).</summary>
internal static class Csv
{
    public static string[]? Split(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString().Trim());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        if (quoted)
        {
            return null;
        }

        fields.Add(field.ToString().Trim());
        return fields.ToArray();
    }

    public static bool TryDouble(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    /// <summary>Parses "x0;y0;x1;y1;…" (AffectNet's facial_landmarks). Returns null when a value is not a finite
    /// number, or not one in float's range (1e39 would become +∞); the count is checked by the caller.</summary>
    public static float[]? ParsePoints(string text)
    {
        var parts = text.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var values = new float[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!TryDouble(parts[i], out var v) || !float.IsFinite((float)v))
            {
                return null;
            }

            values[i] = (float)v;
        }

        return values;
    }

    public static string FormatPoints(ReadOnlySpan<float> values)
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
