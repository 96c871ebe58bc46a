using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace PrivilegedAttribution.Landmarks.Datasets;

/// <summary>
/// A face box read from a dataset's text fields. Text that is no number makes a
/// <see cref="DatasetProblemKind.MalformedLine"/>; numbers that make no box (not finite, beyond
/// ±<see cref="FaceBox.MaxCoordinate"/> once rounded, a size below one pixel, inverted corners) make an
/// <see cref="DatasetProblemKind.InvalidFaceBox"/>: never a box saturated to ±9.2e18 or wrapped around.
/// </summary>
internal static class FaceBoxFields
{
    /// <summary>Reads x, y, width and height (AffectNet, the generic CSV), each rounded to the nearest
    /// integer.</summary>
    /// <param name="names">The four fields' names, for the message.</param>
    /// <param name="texts">The four fields.</param>
    /// <param name="box">The box, when one is read.</param>
    /// <param name="kind">What is wrong otherwise.</param>
    /// <param name="problem">The fields, their values and the rule broken, otherwise.</param>
    public static bool TryXywh(IReadOnlyList<string> names, IReadOnlyList<string> texts, out FaceBox box,
        out DatasetProblemKind kind, [NotNullWhen(false)] out string? problem) =>
        TryParse(names, texts, corners: false, out box, out kind, out problem);

    /// <summary>Reads corners x1, y1, x2, y2 (RAF-DB's bounding boxes), each rounded to the nearest integer, with
    /// x2 &gt; x1 and y2 &gt; y1 before rounding.</summary>
    /// <param name="names">The four fields' names, for the message.</param>
    /// <param name="texts">The four fields.</param>
    /// <param name="box">The box, when one is read.</param>
    /// <param name="kind">What is wrong otherwise.</param>
    /// <param name="problem">The fields, their values and the rule broken, otherwise.</param>
    public static bool TryCorners(IReadOnlyList<string> names, IReadOnlyList<string> texts, out FaceBox box,
        out DatasetProblemKind kind, [NotNullWhen(false)] out string? problem) =>
        TryParse(names, texts, corners: true, out box, out kind, out problem);

    private static bool TryParse(IReadOnlyList<string> names, IReadOnlyList<string> texts, bool corners,
        out FaceBox box, out DatasetProblemKind kind, [NotNullWhen(false)] out string? problem)
    {
        box = default;
        if (!TryRead(names, texts, out var values, out kind, out problem))
        {
            return false;
        }

        // Empty or inverted, judged before rounding as the loaders always have.
        for (var k = 2; k < 4; k++)
        {
            if (corners && values[k] <= values[k - 2])
            {
                return Fail(out kind, out problem,
                    $"{names[k]} = {texts[k]} is not greater than {names[k - 2]} = {texts[k - 2]}: the face box " +
                    "is inverted or empty");
            }

            if (!corners && values[k] < 1)
            {
                return Fail(out kind, out problem,
                    $"{names[k]} = {texts[k]}: a face box is at least 1 pixel {(k == 2 ? "wide" : "high")}");
            }
        }

        // Every value is within ±MaxCoordinate, so x + width − 1 cannot overflow; the box checks its own range.
        var (left, top, third, fourth) = (Round(values[0]), Round(values[1]), Round(values[2]), Round(values[3]));
        var (right, bottom) = corners ? (third, fourth) : (left + third - 1, top + fourth - 1);
        if (FaceBox.Problem(left, top, right, bottom) is { } broken)
        {
            return Fail(out kind, out problem,
                $"{string.Join(", ", names)} = {string.Join(", ", texts)} make no face box: {broken.Message}");
        }

        box = new FaceBox(left, top, right, bottom);
        return true;
    }

    /// <summary>Parses the fields: finite numbers whose rounded values lie within
    /// ±<see cref="FaceBox.MaxCoordinate"/>.</summary>
    private static bool TryRead(IReadOnlyList<string> names, IReadOnlyList<string> texts, out double[] values,
        out DatasetProblemKind kind, [NotNullWhen(false)] out string? problem)
    {
        values = new double[texts.Count];
        for (var k = 0; k < texts.Count; k++)
        {
            if (!double.TryParse(texts[k], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                kind = DatasetProblemKind.MalformedLine;
                problem = $"{names[k]} '{texts[k]}' is not a number";
                return false;
            }

            if (!double.IsFinite(value))
            {
                return Fail(out kind, out problem, $"{names[k]} = {texts[k]} is not a finite number");
            }

            if (Math.Abs(Math.Round(value)) > FaceBox.MaxCoordinate)
            {
                return Fail(out kind, out problem, $"{names[k]} = {texts[k]} is beyond ±{FaceBox.MaxCoordinate} " +
                    "(FaceBox.MaxCoordinate), outside any image");
            }

            values[k] = value;
        }

        kind = default;
        problem = null;
        return true;
    }

    /// <summary>The loaders' rounding (to even at .5, <see cref="Math.Round(double)"/>), exact for values within
    /// ±<see cref="FaceBox.MaxCoordinate"/>.</summary>
    private static long Round(double value) => (long)Math.Round(value);

    private static bool Fail(out DatasetProblemKind kind, out string problem, string message)
    {
        kind = DatasetProblemKind.InvalidFaceBox;
        problem = message;
        return false;
    }
}
