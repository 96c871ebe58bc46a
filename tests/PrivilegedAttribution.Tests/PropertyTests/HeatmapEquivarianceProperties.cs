using CsCheck;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Tests.PropertyTests;

/// <summary>
/// <see cref="PalFunctional.landmark_heatmap"/> commutes with the image's symmetries: moving every landmark by
/// whole pixels moves the map by as many pixels (compared where both maps lie on the image, with the landmarks kept
/// clear of the border so that each map's peak does), and mirroring the landmarks (x → W − 1 − x) mirrors the map,
/// at any output size. float64 throughout.
/// </summary>
public sealed class HeatmapEquivarianceProperties
{
    private const int MaxShift = 3;
    private const int Margin = MaxShift + 3;

    [Test]
    public void Moving_the_landmarks_by_whole_pixels_moves_the_heatmap()
    {
        var gen =
            from height in Gen.Int[2 * Margin + 2, 40]
            from width in Gen.Int[2 * Margin + 2, 40]
            from count in Gen.Int[1, 6]
            from sigma in Gen.Double[0.5, 4]
            from dx in Gen.Int[-MaxShift, MaxShift]
            from dy in Gen.Int[-MaxShift, MaxShift]
            from combine in Gen.Enum<HeatmapCombine>()
            from seed in GeneratedCases.Seed
            select (height, width, count, sigma, dx, dy, combine, seed);
        GeneratedCases.Check(gen, c =>
        {
            using var scope = NewDisposeScope();
            var unit = GeneratedCases.Uniform(c.seed, 1, c.count, 2);
            var span = tensor(new double[] { c.width - 1 - 2 * Margin, c.height - 1 - 2 * Margin });
            var landmarks = unit * span + Margin;
            var moved = landmarks + tensor(new double[] { c.dx, c.dy });
            var map = Render(landmarks, c.height, c.width, c.height, c.width, c.sigma, c.combine);
            var movedMap = Render(moved, c.height, c.width, c.height, c.width, c.sigma, c.combine);

            // Pixel (i, j) of the map is pixel (i + dy, j + dx) of the moved map, where both exist.
            var rows = (Math.Max(0, -c.dy), c.height - Math.Max(0, c.dy));
            var columns = (Math.Max(0, -c.dx), c.width - Math.Max(0, c.dx));
            var original = map[.., .., rows.Item1..rows.Item2, columns.Item1..columns.Item2];
            var shifted = movedMap[.., .., (rows.Item1 + c.dy)..(rows.Item2 + c.dy),
                (columns.Item1 + c.dx)..(columns.Item2 + c.dx)];
            var difference = (original - shifted).abs().max().item<double>();
            Assert.That(difference, Is.LessThanOrEqualTo(1e-9), $"the map did not move with its landmarks ({c})");
        }, stream: 5);
    }

    [Test]
    public void Mirroring_the_landmarks_mirrors_the_heatmap()
    {
        var gen =
            from height in Gen.Int[8, 40]
            from width in Gen.Int[8, 40]
            from outputHeight in Gen.Int[1, 24]
            from outputWidth in Gen.Int[1, 24]
            from count in Gen.Int[1, 8]
            from sigma in Gen.Double[0.5, 4]
            from combine in Gen.Enum<HeatmapCombine>()
            from seed in GeneratedCases.Seed
            select (height, width, outputHeight, outputWidth, count, sigma, combine, seed);
        GeneratedCases.Check(gen, c =>
        {
            using var scope = NewDisposeScope();
            var unit = GeneratedCases.Uniform(c.seed, 2, c.count, 2);
            var landmarks = unit * tensor(new double[] { c.width - 1, c.height - 1 });
            var x = landmarks.select(2, 0);
            var mirrored = stack(new[] { (c.width - 1) - x, landmarks.select(2, 1) }, 2);
            var map = Render(landmarks, c.height, c.width, c.outputHeight, c.outputWidth, c.sigma, c.combine);
            var mirroredMap = Render(mirrored, c.height, c.width, c.outputHeight, c.outputWidth, c.sigma,
                c.combine);
            var difference = (mirroredMap - map.flip(3)).abs().max().item<double>();
            Assert.That(difference, Is.LessThanOrEqualTo(1e-9), $"the map did not mirror with its landmarks ({c})");
        }, stream: 6);
    }

    private static Tensor Render(Tensor landmarks, int height, int width, int outputHeight, int outputWidth,
        double sigma, HeatmapCombine combine) =>
        PalFunctional.landmark_heatmap(landmarks, height, width, outputHeight, outputWidth, sigma,
            combine: combine);
}
