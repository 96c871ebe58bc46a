namespace PrivilegedAttribution;

/// <summary>
/// Left/right index permutations for mirrored faces: after a horizontal flip, the point that was the left eye's
/// outer corner sits where the right eye's outer corner belongs, so every left/right pair must swap its index
/// or a landmark prior lights up the wrong side.
/// </summary>
public static class LandmarkMirror
{
    private static readonly int[] Ibug68Permutation = BuildIbug68();

    /// <summary>
    /// The iBUG-68 mirror permutation: after a horizontal flip, point <c>k</c> of the mirrored face is point
    /// <c>Ibug68[k]</c> of the flipped original. It is an involution (applying it twice gives the identity).
    /// </summary>
    /// <remarks>Pairs (0-based, as dlib numbers them): jaw i ↔ 16 − i; brows 17–21 ↔ 26–22; nose bridge 27–30
    /// unchanged; nostrils 31 ↔ 35, 32 ↔ 34 (33 unchanged); eyes 36 ↔ 45 (outer corners), 37 ↔ 44, 38 ↔ 43,
    /// 39 ↔ 42 (inner corners), 40 ↔ 47, 41 ↔ 46; outer lips 48 ↔ 54 (corners), 49 ↔ 53, 50 ↔ 52, 55 ↔ 59,
    /// 56 ↔ 58 (51, 57 unchanged); inner lips 60 ↔ 64 (corners), 61 ↔ 63, 65 ↔ 67 (62, 66 unchanged).</remarks>
    public static IReadOnlyList<int> Ibug68 => Ibug68Permutation;

    /// <summary>Checks that <paramref name="permutation"/> is a permutation of 0..count−1 and an involution (a mirror
    /// applied twice must give back every point).</summary>
    /// <param name="permutation">The candidate permutation.</param>
    /// <param name="count">The number of landmarks K.</param>
    /// <param name="argumentName">The argument reported on failure.</param>
    internal static void CheckPermutation(IReadOnlyList<int> permutation, long count, string argumentName)
    {
        if (permutation.Count != count)
        {
            throw new ArgumentException(
                $"{argumentName} must hold one index per landmark ({count}); got {permutation.Count}.", argumentName);
        }

        for (var k = 0; k < permutation.Count; k++)
        {
            var image = permutation[k];
            if (image < 0 || image >= count || permutation[image] != k)
            {
                throw new ArgumentException(
                    $"{argumentName} must be a permutation of 0..{count - 1} that is its own inverse (a mirror swaps " +
                    $"pairs); entry {k} is {image}" +
                    (image >= 0 && image < count ? $", but entry {image} is {permutation[image]}." : "."),
                    argumentName);
            }
        }
    }

    private static int[] BuildIbug68()
    {
        var permutation = Enumerable.Range(0, LandmarkRegions.Ibug68Count).ToArray();
        (int, int)[] pairs =
        [
            (0, 16), (1, 15), (2, 14), (3, 13), (4, 12), (5, 11), (6, 10), (7, 9),
            (17, 26), (18, 25), (19, 24), (20, 23), (21, 22),
            (31, 35), (32, 34),
            (36, 45), (37, 44), (38, 43), (39, 42), (40, 47), (41, 46),
            (48, 54), (49, 53), (50, 52), (55, 59), (56, 58),
            (60, 64), (61, 63), (65, 67),
        ];
        foreach (var (left, right) in pairs)
        {
            permutation[left] = right;
            permutation[right] = left;
        }

        return permutation;
    }
}
