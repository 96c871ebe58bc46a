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

    /// <summary>Cross-entropy + λ·Σ(A ⊙ input gradient)², Right for the Right Reasons (Ross et al. 2017).
    /// </summary>
    RightReasons,

    /// <summary>Both penalties at once (<see cref="PalAndRightReasonsObjective"/>); not in the default comparison.
    /// </summary>
    PalAndRightReasons,
}
