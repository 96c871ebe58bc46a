namespace PrivilegedAttribution;

/// <summary>
/// A facial action unit of the Facial Action Coding System (FACS; Ekman &amp; Friesen 1978, revised by Ekman,
/// Friesen &amp; Hager 2002): its FACS number, its name, and the points of the face where it shows, derived from the
/// 68 iBUG landmarks (<see cref="ActionUnitPoint"/>). A bilateral unit has one point per side.
/// </summary>
/// <remarks>
/// <see cref="Ibug68"/> holds the package's locations of the units the expression codebooks use. Each point sits
/// where the FACS manual describes the unit's appearance change (the brows, the lids, the cheek below the eye, the
/// sides of the nose, the lip corners, the mouth opening, the chin), anchored on the landmarks nearest to it as
/// Belharbi et al. 2024 ("Guided Interpretable Facial Expression Recognition via Spatial Action Unit Cues")
/// anchor theirs; offsets are in inter-ocular distances rather than fractions of the image, so they follow the face
/// in any crop.
/// </remarks>
public sealed record ActionUnit
{
    /// <summary>A unit with its locations.</summary>
    /// <param name="number">Its FACS number (AU1 is 1).</param>
    /// <param name="name">Its FACS name.</param>
    /// <param name="points">Where it shows: one or more points, distinct.</param>
    /// <exception cref="ArgumentException">A number ≤ 0, an empty name, no point or a point listed twice.
    /// </exception>
    public ActionUnit(int number, string name, IReadOnlyList<ActionUnitPoint> points)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(points);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(number);
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException($"AU{number} needs a name.", nameof(name));
        }

        if (points.Count == 0 || points.Any(p => p is null) || points.Distinct().Count() != points.Count)
        {
            throw new ArgumentException(
                $"AU{number} ({name}) needs one or more distinct points; got {points.Count} " +
                $"({string.Join("; ", points)}).", nameof(points));
        }

        (Number, Name, Points) = (number, name, points.ToArray());
    }

    /// <summary>The FACS number.</summary>
    public int Number { get; }

    /// <summary>The FACS name.</summary>
    public string Name { get; }

    /// <summary>Where the unit shows.</summary>
    public IReadOnlyList<ActionUnitPoint> Points { get; }

    /// <summary>
    /// The package's locations on the iBUG-68 landmarks (0-based, as dlib numbers them; "left" is the image's left),
    /// e = landmark 45 − landmark 36 and n towards the chin, in inter-ocular distances:
    /// AU1 inner brow raiser: 21; 22 (inner brow ends). AU2 outer brow raiser: 18; 25.
    /// AU4 brow lowerer: mean of 21 and 22 (the glabella, between the brows).
    /// AU5 upper lid raiser: means of 37, 38 and of 43, 44 (upper lids).
    /// AU6 cheek raiser: means of 40, 41 and of 46, 47 (lower lids) + 0.3 n (the cheek below).
    /// AU7 lid tightener: means of 40, 41 and of 46, 47 (lower lids).
    /// AU9 nose wrinkler: means of 29, 31 and of 29, 35 (the sides of the nose).
    /// AU10 upper lip raiser: means of 31, 50 and of 35, 52 (between nostril wing and upper lip).
    /// AU12 lip corner puller: 48; 54. AU14 dimpler: 48 − 0.1 e; 54 + 0.1 e (just outside the corners).
    /// AU15 lip corner depressor: 48 + 0.1 n; 54 + 0.1 n (just below the corners).
    /// AU16 lower lip depressor: 56; 58. AU17 chin raiser: mean of 57 and 8 (the chin boss).
    /// AU20 lip stretcher: means of 48, 4 and of 54, 12 (beside the mouth, towards the jaw).
    /// AU23 lip tightener and AU24 lip pressor: 51; 57 (the middle of each lip).
    /// AU25 lips part: mean of 62 and 66 (the mouth opening).
    /// AU26 jaw drop and AU27 mouth stretch: mean of 62 and 66; 8 (the opening and the lowered chin).
    /// </summary>
    public static IReadOnlyList<ActionUnit> Ibug68 { get; } =
    [
        new(1, "Inner Brow Raiser", [new([21]), new([22])]),
        new(2, "Outer Brow Raiser", [new([18]), new([25])]),
        new(4, "Brow Lowerer", [new([21, 22])]),
        new(5, "Upper Lid Raiser", [new([37, 38]), new([43, 44])]),
        new(6, "Cheek Raiser", [new([40, 41], down: 0.3), new([46, 47], down: 0.3)]),
        new(7, "Lid Tightener", [new([40, 41]), new([46, 47])]),
        new(9, "Nose Wrinkler", [new([29, 31]), new([29, 35])]),
        new(10, "Upper Lip Raiser", [new([31, 50]), new([35, 52])]),
        new(12, "Lip Corner Puller", [new([48]), new([54])]),
        new(14, "Dimpler", [new([48], across: -0.1), new([54], across: 0.1)]),
        new(15, "Lip Corner Depressor", [new([48], down: 0.1), new([54], down: 0.1)]),
        new(16, "Lower Lip Depressor", [new([56]), new([58])]),
        new(17, "Chin Raiser", [new([57, 8])]),
        new(20, "Lip Stretcher", [new([48, 4]), new([54, 12])]),
        new(23, "Lip Tightener", [new([51]), new([57])]),
        new(24, "Lip Pressor", [new([51]), new([57])]),
        new(25, "Lips Part", [new([62, 66])]),
        new(26, "Jaw Drop", [new([62, 66]), new([8])]),
        new(27, "Mouth Stretch", [new([62, 66]), new([8])]),
    ];

    /// <inheritdoc />
    public bool Equals(ActionUnit? other) =>
        other is not null && Number == other.Number && Name == other.Name && Points.SequenceEqual(other.Points);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Number, Name, Points.Count);

    /// <inheritdoc />
    public override string ToString() => $"AU{Number} {Name}: {string.Join("; ", Points)}";
}
