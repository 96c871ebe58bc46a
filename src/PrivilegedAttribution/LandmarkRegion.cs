namespace PrivilegedAttribution;

/// <summary>Facial regions of the iBUG 68-point landmark order (as dlib, 300-W and AffectNet number them);
/// combine them with <c>|</c>.</summary>
[Flags]
public enum LandmarkRegion
{
    /// <summary>No landmark.</summary>
    None = 0,

    /// <summary>Jaw line, points 0–16.</summary>
    Jaw = 1 << 0,

    /// <summary>Both eyebrows, points 17–26.</summary>
    Brows = 1 << 1,

    /// <summary>Nose bridge and nostrils, points 27–35.</summary>
    Nose = 1 << 2,

    /// <summary>Both eyes, points 36–47.</summary>
    Eyes = 1 << 3,

    /// <summary>Outer and inner lips, points 48–67.</summary>
    Mouth = 1 << 4,

    /// <summary>The expressive inner face: brows, nose, eyes and mouth (no jaw line).</summary>
    InnerFace = Brows | Nose | Eyes | Mouth,

    /// <summary>All 68 points.</summary>
    All = Jaw | InnerFace,
}

/// <summary>Index sets of <see cref="LandmarkRegion"/> presets over the iBUG-68 order.</summary>
public static class LandmarkRegions
{
    /// <summary>The number of points in the iBUG order.</summary>
    public const int Ibug68Count = 68;

    private static readonly (LandmarkRegion Region, int First, int Last)[] Ranges =
    [
        (LandmarkRegion.Jaw, 0, 16),
        (LandmarkRegion.Brows, 17, 26),
        (LandmarkRegion.Nose, 27, 35),
        (LandmarkRegion.Eyes, 36, 47),
        (LandmarkRegion.Mouth, 48, 67),
    ];

    /// <summary>The ascending iBUG-68 indices of the points in <paramref name="regions"/>.</summary>
    public static int[] Indices(LandmarkRegion regions)
    {
        if ((regions & ~LandmarkRegion.All) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(regions), regions, "Unknown landmark region flags.");
        }

        return Ranges.Where(r => regions.HasFlag(r.Region))
            .SelectMany(r => Enumerable.Range(r.First, r.Last - r.First + 1))
            .ToArray();
    }

    /// <summary>A boolean mask of length 68, true for the points in <paramref name="regions"/>.</summary>
    public static bool[] Mask(LandmarkRegion regions)
    {
        var mask = new bool[Ibug68Count];
        foreach (var i in Indices(regions))
        {
            mask[i] = true;
        }

        return mask;
    }
}
