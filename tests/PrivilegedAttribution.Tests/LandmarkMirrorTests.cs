namespace PrivilegedAttribution.Tests;

public sealed class LandmarkMirrorTests
{
    // Image-left points of each left/right pair in the iBUG-68 order, listed from the annotation scheme (not from
    // the permutation under test): jaw 0–7, left brow 17–21, nostrils 31–32, left eye 36–41, outer lips 48–50 and
    // 58–59, inner lips 60–61 and 67.
    private static readonly int[] ImageLeft =
        [0, 1, 2, 3, 4, 5, 6, 7, 17, 18, 19, 20, 21, 31, 32, 36, 37, 38, 39, 40, 41, 48, 49, 50, 58, 59, 60, 61, 67];

    // Points on the face's vertical midline: chin, nose bridge and tip, lip centres.
    private static readonly int[] Midline = [8, 27, 28, 29, 30, 33, 51, 57, 62, 66];

    [Test]
    public void The_ibug68_mirror_is_a_permutation_and_its_own_inverse()
    {
        var mirror = LandmarkMirror.Ibug68;
        Assert.That(mirror, Has.Count.EqualTo(68));
        Assert.That(mirror.OrderBy(i => i), Is.EqualTo(Enumerable.Range(0, 68)));
        for (var k = 0; k < 68; k++)
        {
            Assert.That(mirror[mirror[k]], Is.EqualTo(k), $"point {k}");
        }
    }

    [Test]
    public void The_mirror_swaps_eye_brow_and_mouth_corners()
    {
        var mirror = LandmarkMirror.Ibug68;
        Assert.That(mirror[36], Is.EqualTo(45), "outer eye corners");
        Assert.That(mirror[39], Is.EqualTo(42), "inner eye corners");
        Assert.That(mirror[17], Is.EqualTo(26), "outer brow ends");
        Assert.That(mirror[48], Is.EqualTo(54), "outer mouth corners");
        Assert.That(mirror[60], Is.EqualTo(64), "inner mouth corners");
        Assert.That(mirror[0], Is.EqualTo(16), "jaw ends");
    }

    [Test]
    public void Left_points_map_to_right_points_and_the_midline_to_itself_within_each_region()
    {
        var mirror = LandmarkMirror.Ibug68;
        var left = ImageLeft.ToHashSet();
        foreach (var k in ImageLeft)
        {
            Assert.That(left.Contains(mirror[k]), Is.False, $"point {k} maps to {mirror[k]}, also on the left");
            Assert.That(RegionOf(mirror[k]), Is.EqualTo(RegionOf(k)), $"point {k}");
        }

        foreach (var k in Midline)
        {
            Assert.That(mirror[k], Is.EqualTo(k), $"midline point {k}");
        }

        // Left, right and midline cover all 68 points.
        Assert.That(ImageLeft.Length * 2 + Midline.Length, Is.EqualTo(68));
    }

    private static LandmarkRegion RegionOf(int k) =>
        new[] { LandmarkRegion.Jaw, LandmarkRegion.Brows, LandmarkRegion.Nose, LandmarkRegion.Eyes,
                LandmarkRegion.Mouth }.Single(r => LandmarkRegions.Indices(r).Contains(k));
}
