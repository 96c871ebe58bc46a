using TorchSharp;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Samples;

/// <summary>
/// Where a trained model looks, measured with the package's agreement functions on the input gradient of the true
/// class's logit, |∂s_y/∂x| (a map PAL does not constrain directly: PAL acts on an inner layer's G ⊙ A): the share of
/// it that falls on the decoy patch, and its Pearson correlation with the landmark heatmap PAL is given.
/// </summary>
/// <param name="DecoyShare">Mean share (%) of |∂s_y/∂x| on the decoy patch's pixels; null without decoys.</param>
/// <param name="PriorCorrelation">Mean Pearson correlation of |∂s_y/∂x| (mean over the colour channels) with the
/// landmark heatmap, in [−1, 1].</param>
public sealed record InputGradientAgreement(double? DecoyShare, double PriorCorrelation)
{
    /// <summary>Measures <paramref name="model"/> (in eval mode, so each image's gradient is its own) on every image
    /// of <paramref name="data"/>.</summary>
    /// <param name="model">The classifier.</param>
    /// <param name="data">The images; their landmarks are rendered by <paramref name="prior"/> at the input size.
    /// </param>
    /// <param name="prior">The heatmap prior PAL was given.</param>
    /// <param name="decoyMask">(N,1,S,S) bool: where each image's decoy lies; null when there is none.</param>
    /// <param name="batchSize">Images per gradient pass.</param>
    public static InputGradientAgreement Measure(nn.Module<Tensor, Tensor> model, ILandmarkedImages data,
        HeatmapPrior prior, Tensor? decoyMask, int batchSize = 50)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(prior);
        if (decoyMask is not null && decoyMask.shape[0] != data.Count)
        {
            throw new ArgumentException($"{nameof(decoyMask)} has {decoyMask.shape[0]} rows for {data.Count} images.",
                nameof(decoyMask));
        }

        model.eval();
        double decoy = 0, correlation = 0;
        for (long start = 0; start < data.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var length = Math.Min(batchSize, data.Count - start);
            var (images, labels, landmarks, visible) = data.Batch(arange(start, start + length));
            var input = images.detach().requires_grad_();
            var gradient = PalFunctional.attribution_map(model.call(input), input, labels, AttributionMethod.Gradient,
                AttributionTarget.TrueClass).detach().abs();
            if (decoyMask is not null)
            {
                decoy += PalFunctional.attribution_mass_in_mask(gradient, decoyMask.narrow(0, start, length))
                    .sum().item<float>();
            }

            var heatmap = prior.render(landmarks, images.shape[2], images.shape[3], visible);
            correlation += PalFunctional.attribution_correlation(gradient, heatmap).sum().item<float>();
        }

        return new InputGradientAgreement(decoyMask is null ? null : 100 * decoy / data.Count,
            correlation / data.Count);
    }
}
