using static TorchSharp.torch;

namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>
/// How much of the clutter PAL's prior can tell from the object: on the small-data protocol's cluttered validation
/// split, the share of the pasted fragments' ink that falls where the object's heatmap (its ink, σ as PAL's, peak 1)
/// is below a threshold, and how large the object and the clutter are. Reads images only, never a model's
/// accuracy: it describes what a data set offers the prior, before any training.
/// </summary>
/// <param name="ObjectArea">% of the pixels that hold the object's ink (ink &gt; 0).</param>
/// <param name="ClutterToObjectInk">The ink the clutter adds (the cluttered image above the clean one, summed) over
/// the object's own ink.</param>
/// <param name="ClutterOffObject">% of the added ink where the object's heatmap is below
/// <see cref="Threshold"/>: nuisance the heatmap marks as "not the object" (the rest overlaps the object, and no
/// heatmap of the object can tell it apart).</param>
/// <param name="Threshold">The heatmap level (peak 1) below which a pixel is off the object: RRR's default, the
/// protocol's definition of "away from the ink".</param>
public sealed record ClutterCoverage(double ObjectArea, double ClutterToObjectInk, double ClutterOffObject,
    double Threshold)
{
    /// <summary>Measures <paramref name="split"/> (cluttered images with their clean ink).</summary>
    public static ClutterCoverage Measure(DecoySplit split, double sigma, double threshold)
    {
        using var scope = NewDisposeScope();
        var (ink, images) = (split.Ink, split.Images);
        var heatmap = PalFunctional.mask_heatmap(ink, ink.shape[2], ink.shape[3], sigma);
        var added = (images - ink).clamp_min(0);
        var addedInk = added.sum().item<float>();
        return new ClutterCoverage(
            100 * (ink > 0).to(ScalarType.Float32).mean().item<float>(),
            addedInk / ink.sum().item<float>(),
            100 * (added * (heatmap < threshold)).sum().item<float>() / addedInk,
            threshold);
    }
}
