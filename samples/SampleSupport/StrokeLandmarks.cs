namespace PrivilegedAttribution.Samples;

/// <summary>
/// Landmarks for digits: K points spread along the ink of each clean digit by farthest-point sampling, in the
/// (x, y) pixel convention of <see cref="HeatmapPrior"/>. For faces the landmarks come from a landmark file or
/// detector; for digits this is the privileged information a user has at training time (the ink before any decoy).
/// </summary>
public static class StrokeLandmarks
{
    /// <summary>Pixels at least this bright count as ink.</summary>
    public const float InkThreshold = 0.5f;

    /// <summary>(N·K·2) coordinates scaled to an <paramref name="outputSize"/>² image, and (N·K) visibility (a
    /// digit with fewer than K ink pixels leaves the rest invisible).</summary>
    public static (float[] Points, bool[] Visible) FromInk(DigitImages clean, int count, int outputSize)
    {
        var points = new float[clean.Count * count * 2];
        var visible = new bool[clean.Count * count];
        var scale = (double)outputSize / clean.Width;
        for (var n = 0; n < clean.Count; n++)
        {
            var image = clean.Image(n);
            var ink = new List<(int Row, int Column)>();
            for (var i = 0; i < clean.Height; i++)
            {
                for (var j = 0; j < clean.Width; j++)
                {
                    if (image[i * clean.Width + j] >= InkThreshold)
                    {
                        ink.Add((i, j));
                    }
                }
            }

            var chosen = FarthestPoints(ink, count);
            for (var k = 0; k < chosen.Count; k++)
            {
                var (row, column) = chosen[k];
                // Pixel centres: input pixel j maps to (j + ½)·scale − ½ in the larger image.
                points[(n * count + k) * 2] = (float)((column + 0.5) * scale - 0.5);
                points[(n * count + k) * 2 + 1] = (float)((row + 0.5) * scale - 0.5);
                visible[n * count + k] = true;
            }
        }

        return (points, visible);
    }

    /// <summary>Greedy farthest-point sampling from the top-most ink pixel: points spread over the whole stroke.
    /// </summary>
    private static List<(int Row, int Column)> FarthestPoints(List<(int Row, int Column)> ink, int count)
    {
        var chosen = new List<(int Row, int Column)>();
        if (ink.Count == 0)
        {
            return chosen;
        }

        var distance = Enumerable.Repeat(double.PositiveInfinity, ink.Count).ToArray();
        var next = 0;
        while (chosen.Count < Math.Min(count, ink.Count))
        {
            var (row, column) = ink[next];
            chosen.Add((row, column));
            for (var p = 0; p < ink.Count; p++)
            {
                var d = Math.Pow(ink[p].Row - row, 2) + Math.Pow(ink[p].Column - column, 2);
                distance[p] = Math.Min(distance[p], d);
            }

            next = Array.IndexOf(distance, distance.Max());
        }

        return chosen;
    }
}
