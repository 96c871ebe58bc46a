namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>The four models the experiment compares, and PAL with the input-gradient penalty together.</summary>
public enum TrainingMethod
{
    /// <summary>Cross-entropy on digits without decoys: the accuracy to aim for.</summary>
    Clean,

    /// <summary>Cross-entropy on decoyed digits: learns the shortcut.</summary>
    Unpenalised,

    /// <summary>Cross-entropy + λ·PAL at a named layer, heatmap from the clean ink.</summary>
    Pal,

    /// <summary>PAL with the gradient factor detached (<see cref="PalLayer.SecondOrder"/> = false): first order.
    /// PAL's settings otherwise (<see cref="PalVariants"/>).</summary>
    PalFirstOrder,

    /// <summary>PAL's loss on Grad-CAM maps (<see cref="AttributionMethod.GradCam"/>) at PAL's layer, second order.
    /// </summary>
    GradCam,

    /// <summary>PAL's loss on Grad-CAM maps, first order (G without create_graph, as the XIL typology trains).
    /// </summary>
    GradCamFirstOrder,

    /// <summary>The channel-mean activation at PAL's layer (<see cref="AttributionMethod.Activation"/>) aligned with
    /// the ink heatmap by Pearson correlation.</summary>
    ActivationPearson,

    /// <summary>The channel-mean activation aligned by cosine similarity (<see cref="PalNormalization.Cosine"/>,
    /// Belharbi et al. 2024).</summary>
    ActivationCosine,

    /// <summary>Cross-entropy + λ·Σ(A ⊙ input gradient)², Right for the Right Reasons (Ross et al. 2017).
    /// </summary>
    RightReasons,

    /// <summary>Both penalties at once (<see cref="PalAndRightReasonsObjective"/>); not in the default comparison.
    /// </summary>
    PalAndRightReasons,
}
