using CsCheck;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Tests.PropertyTests;

/// <summary>
/// The landmark rule (see <see cref="LandmarkChecks"/>) refuses only mistakes: every set of points on the
/// image, [−½, W − ½] × [−½, H − ½], is accepted and rendered, visible or not, whatever the image's size, except the
/// one case the unit rule names: two or more visible points all within [−1, 1]² on an image of at least
/// <see cref="LandmarkChecks.NormalisedCheckMinSize"/> pixels a side, which look like normalised coordinates and
/// are refused with an <see cref="ArgumentException"/>.
/// </summary>
public sealed class LandmarkRuleProperties
{
    [Test]
    public void Every_set_of_points_on_the_image_is_accepted_unless_it_looks_normalised()
    {
        var gen =
            from batch in Gen.Int[1, 3]
            from height in Gen.Int[1, 64]
            from width in Gen.Int[1, 64]
            from count in Gen.Int[1, 12]
            from cornered in Gen.Bool
            from seed in GeneratedCases.Seed
            select (batch, height, width, count, cornered, seed);
        GeneratedCases.Check(gen, c =>
        {
            using var scope = NewDisposeScope();
            // Points anywhere on the pixel area, edges included; "cornered" draws them near the origin, where the
            // unit rule applies.
            var extent = c.cornered
                ? tensor(new double[] { Math.Min(2.5, c.width), Math.Min(2.5, c.height) })
                : tensor(new double[] { c.width, c.height });
            var landmarks = GeneratedCases.Uniform(c.seed, c.batch, c.count, 2) * extent - 0.5;
            var visible = GeneratedCases.Uniform(c.seed + 1, c.batch, c.count) < 0.8;
            var looksNormalised = LooksNormalised(landmarks, visible, c.height, c.width);

            if (looksNormalised)
            {
                Assert.That(() => Render(landmarks, visible, c.height, c.width),
                    Throws.ArgumentException.With.Message.Contains("normalised"), $"({c})");
            }
            else
            {
                var map = Render(landmarks, visible, c.height, c.width);
                Assert.That(isfinite(map).all().item<bool>(), Is.True, $"non-finite map ({c})");
            }
        }, stream: 8);
    }

    private static Tensor Render(Tensor landmarks, Tensor visible, int height, int width) =>
        PalFunctional.landmark_heatmap(landmarks, height, width, height, width, sigma: 1.5, visible: visible);

    /// <summary>The unit rule, written out from its documentation.</summary>
    private static bool LooksNormalised(Tensor landmarks, Tensor visible, int height, int width)
    {
        if (height < LandmarkChecks.NormalisedCheckMinSize || width < LandmarkChecks.NormalisedCheckMinSize)
        {
            return false;
        }

        for (var b = 0; b < landmarks.shape[0]; b++)
        {
            var shown = visible[b];
            var points = landmarks[b][shown];
            if (points.shape[0] >= 2 && points.abs().le(1.0).all().item<bool>())
            {
                return true;
            }
        }

        return false;
    }
}
