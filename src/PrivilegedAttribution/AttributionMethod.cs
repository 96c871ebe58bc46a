namespace PrivilegedAttribution;

/// <summary>How the gradient G = ∂S/∂A and the activation A (B,C,h,w) combine into an attribution.</summary>
/// <remarks>The first three are PAL's attributions (Bonnard et al. 2022). <see cref="GradCam"/> and
/// <see cref="Activation"/> are first-order relatives from the literature on aligning explanations with annotations,
/// offered to measure what PAL's second order is worth; they are departures from PAL's paper
/// (docs/articles/attribution-variants.md describes them). Whether G keeps its graph (PAL trains through G: second
/// order) or not (first order: the loss reaches the weights through A only) is a separate switch:
/// <see cref="PalLayer.SecondOrder"/>, <see cref="AttributionMap.SecondOrder"/>, or the <c>secondOrder</c> argument
/// of <see cref="PalFunctional.attribution_map"/>.</remarks>
public enum AttributionMethod
{
    /// <summary>G ⊙ A (default; the paper's choice).</summary>
    GradientXActivation,

    /// <summary>G alone (input-gradient style). Needs the second order: with G detached nothing would reach the
    /// weights.</summary>
    Gradient,

    /// <summary>|G| ⊙ A.</summary>
    AbsGradientXActivation,

    /// <summary>
    /// Grad-CAM (Selvaraju et al., ICCV 2017): each channel's weight is its gradient averaged over space,
    /// α_c = (1/(h·w)) Σ_ij G[c,i,j], and the map is Σ_c α_c·A_c, one channel: (B,1,h,w), so the channel strategy
    /// has nothing to choose. No ReLU is applied (Grad-CAM's display applies one): a ReLU would zero the map, and its
    /// gradient, wherever the weighted sum is negative, and a map negative everywhere (common early in training) would
    /// become constant and stop the loss. The XIL typology's RRR-GradCAM and HINT losses (Friedrich et al., Nature
    /// Machine Intelligence 2023; <c>ml-research/A-Typology-for-Exploring-the-Mitigation-of-Shortcut-Behavior</c>,
    /// <c>xil_methods/xil_loss.py</c>) likewise ask Captum's <c>LayerGradCam</c> for the map without its ReLU, and
    /// compute G without <c>create_graph</c>: first order, <see cref="PalLayer.SecondOrder"/> = false. With the
    /// default second order the loss also trains through α. Meaningless at <see cref="PalLayer.Input"/> (it would mix
    /// the image's colour channels), which <see cref="PalObjective"/> refuses. A departure from PAL's paper.
    /// </summary>
    GradCam,

    /// <summary>
    /// The activation itself, A (B,C,h,w): no gradient and no backward pass at all, so a loss on it is first order by
    /// construction and a step costs a plain step plus the loss (the second-order switch does not apply). With the
    /// default <see cref="ChannelStrategy.Mean"/> the map is the channel-mean activation, the attention map that
    /// Belharbi et al. align with an action-unit heatmap by cosine similarity ("Guided interpretable facial expression
    /// recognition via spatial action unit cues", 2024, arXiv 2402.00281; <c>sbelharbi/interpretable-fer-aus</c>,
    /// <c>dlib/losses/align_to_heatmap.py</c>): use <see cref="PalNormalization.Cosine"/> for theirs,
    /// <see cref="PalNormalization.Pearson"/> to compare it as PAL compares its maps. The target class plays no part.
    /// Meaningless at <see cref="PalLayer.Input"/> (the images carry no weight to train), which
    /// <see cref="PalObjective"/> refuses. A departure from PAL's paper.
    /// </summary>
    Activation,
}
