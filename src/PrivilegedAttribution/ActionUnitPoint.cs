namespace PrivilegedAttribution;

/// <summary>
/// Where on a face an action unit shows, derived from the 68 iBUG landmarks: the mean of
/// <see cref="Landmarks"/>, moved by <see cref="Across"/>·e + <see cref="Down"/>·n, where e = landmark 45 − landmark
/// 36 runs from the image-left eye's outer corner to the image-right eye's (|e| is the inter-ocular distance that
/// 300-W normalises landmark errors by) and n is e turned a quarter turn towards the chin, (−e_y, e_x) in image
/// coordinates (y down). Offsets in these units follow the face when it is scaled, rotated or mirrored with its
/// landmarks (a mirrored face's landmarks are reindexed, <see cref="LandmarkMirror"/>).
/// </summary>
/// <example><code>
/// new ActionUnitPoint([48]);                        // the image-left lip corner
/// new ActionUnitPoint([40, 41], down: 0.3);         // the cheek, 0.3 inter-ocular distances below the lower lid
/// </code></example>
public sealed record ActionUnitPoint
{
    private readonly int[] _landmarks;

    /// <summary>A point at the mean of <paramref name="landmarks"/>, moved in face units.</summary>
    /// <param name="landmarks">One or more distinct iBUG-68 indices (0–67).</param>
    /// <param name="across">Move along e (image-left eye → image-right eye), in inter-ocular distances.</param>
    /// <param name="down">Move along n (towards the chin), in inter-ocular distances.</param>
    /// <exception cref="ArgumentException">No landmark, an index outside 0–67 or named twice, or an offset that
    /// is not finite.</exception>
    public ActionUnitPoint(IReadOnlyList<int> landmarks, double across = 0, double down = 0)
    {
        ArgumentNullException.ThrowIfNull(landmarks);
        if (landmarks.Count == 0)
        {
            throw new ArgumentException("An action-unit point needs at least one landmark.", nameof(landmarks));
        }

        foreach (var index in landmarks)
        {
            if (index is < 0 or >= LandmarkRegions.Ibug68Count)
            {
                throw new ArgumentException(
                    $"{nameof(landmarks)} holds {index}; iBUG-68 indices lie in [0, {LandmarkRegions.Ibug68Count}).",
                    nameof(landmarks));
            }
        }

        if (landmarks.Distinct().Count() != landmarks.Count)
        {
            throw new ArgumentException(
                $"{nameof(landmarks)} names a landmark twice ({string.Join(", ", landmarks)}); give each once.",
                nameof(landmarks));
        }

        if (!double.IsFinite(across) || !double.IsFinite(down))
        {
            throw new ArgumentException(
                $"The offsets must be finite; got {nameof(across)} = {across}, {nameof(down)} = {down}.",
                double.IsFinite(across) ? nameof(down) : nameof(across));
        }

        _landmarks = landmarks.ToArray();
        (Across, Down) = (across, down);
    }

    /// <summary>The iBUG-68 indices whose mean anchors the point.</summary>
    public IReadOnlyList<int> Landmarks => _landmarks;

    /// <summary>Offset along the eye line (landmark 36 → 45), in inter-ocular distances.</summary>
    public double Across { get; }

    /// <summary>Offset towards the chin, in inter-ocular distances.</summary>
    public double Down { get; }

    /// <summary>Whether the point depends on the eye line (an offset is not zero), so on landmarks 36 and 45 too.
    /// </summary>
    public bool UsesEyeLine => Across != 0 || Down != 0;

    /// <summary>Every landmark the point is computed from: a point with a hidden one is hidden.</summary>
    public IEnumerable<int> DependsOn => UsesEyeLine ? _landmarks.Union([36, 45]) : _landmarks;

    /// <inheritdoc />
    public bool Equals(ActionUnitPoint? other) =>
        other is not null && _landmarks.SequenceEqual(other._landmarks) && Across.Equals(other.Across) &&
        Down.Equals(other.Down);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var index in _landmarks)
        {
            hash.Add(index);
        }

        hash.Add(Across);
        hash.Add(Down);
        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var anchor = _landmarks.Length == 1 ? $"landmark {_landmarks[0]}" : $"mean of {string.Join("+", _landmarks)}";
        var across = Across != 0 ? $" {Across:+0.##;−0.##} across" : "";
        var down = Down != 0 ? $" {Down:+0.##;−0.##} down" : "";
        return anchor + across + down;
    }
}
