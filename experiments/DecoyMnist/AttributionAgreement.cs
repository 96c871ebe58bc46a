using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>
/// Where a trained model looks, measured with the package's agreement functions on the input gradient of the true
/// class's logit, |∂s_y/∂x| (the same map the attribution figures draw): the share of it that falls on the decoy
/// patch, the share on the digit's ink, and its Pearson correlation with the ink heatmap PAL is given.
/// </summary>
/// <param name="DecoyShare">Mean share (%) of |∂s_y/∂x| on the decoy patch's pixels (0 when the split has none).
/// </param>
/// <param name="InkShare">Mean share (%) of |∂s_y/∂x| on the clean digit's ink (pixels with ink &gt; 0).</param>
/// <param name="InkCorrelation">Mean Pearson correlation of |∂s_y/∂x| with the ink heatmap, in [−1, 1].</param>
public sealed record AttributionAgreement(double DecoyShare, double InkShare, double InkCorrelation)
{
    private const int Chunk = 500;

    /// <summary>Measures <paramref name="model"/> on every image of <paramref name="split"/>; the heatmap is the
    /// ink rendered with PAL's σ, <paramref name="inkSigma"/>, at the input's size.</summary>
    public static AttributionAgreement Measure(Sequential model, DecoySplit split, double inkSigma)
    {
        model.eval();
        double decoy = 0, ink = 0, correlation = 0;
        for (long start = 0; start < split.Count; start += Chunk)
        {
            using var scope = NewDisposeScope();
            var length = Math.Min(Chunk, split.Count - start);
            var input = split.Images.narrow(0, start, length).detach().requires_grad_();
            var labels = split.Labels.narrow(0, start, length);
            var clean = split.Ink.narrow(0, start, length);
            // Eval mode: each sample's gradient is its own (no batch coupling), so chunking changes nothing.
            var gradient = PalFunctional.attribution_map(model.call(input), input, labels,
                AttributionMethod.Gradient, AttributionTarget.TrueClass).detach().abs();
            decoy += PalFunctional.attribution_mass_in_mask(gradient, split.PatchMask.narrow(0, start, length))
                .sum().item<float>();
            ink += PalFunctional.attribution_mass_in_mask(gradient, clean > 0).sum().item<float>();
            var heatmap = PalFunctional.mask_heatmap(clean, clean.shape[2], clean.shape[3], inkSigma);
            correlation += PalFunctional.attribution_correlation(gradient, heatmap).sum().item<float>();
        }

        return new AttributionAgreement(100 * decoy / split.Count, 100 * ink / split.Count,
            correlation / split.Count);
    }
}
