namespace PrivilegedAttribution;

/// <summary>How an attribution map is compared with the heatmap.</summary>
public enum PalNormalization
{
    /// <summary>Per map −(1/N)·Σ z·ĥ with z the standardised map and ĥ the standardised heatmap: the negative Pearson
    /// correlation, in [−1, 1]; per sample the mean over maps (default).</summary>
    Pearson,

    /// <summary>Per map −Σ z·h with z the standardised map and the heatmap as given (the paper's form); per sample the
    /// sum over maps.</summary>
    CrossCorrelation,

    /// <summary>
    /// Per map the negative cosine similarity over space of the raw map a (not standardised, no ReLU) and the heatmap
    /// h as given: −Σ a·h / (‖a‖·‖h‖), in [−1, 1]; per sample the mean over maps. Scale-free like Pearson
    /// (−cos(c·a, h) = −cos(a, h) for every c &gt; 0), but not shift-free: a constant added to the map changes it, so
    /// the map's sign and offset matter; a map and a heatmap that are both non-negative, as a post-ReLU activation and
    /// a landmark heatmap are, have a cosine in [0, 1] even when unrelated. A map or a heatmap that is zero everywhere
    /// contributes 0 with a zero gradient (the eps of <see cref="PalFunctional.pal_loss"/> plays no part: each map is
    /// divided by its largest magnitude first, so the value is the same at every scale and only an exact zero is
    /// degenerate). Source: the alignment loss of Belharbi et al. (2024), <c>sbelharbi/interpretable-fer-aus</c>,
    /// <c>dlib/losses/align_to_heatmap.py</c>, which takes 1 − cos of the flattened channel-mean activation and the
    /// heatmap (the same gradient; this form keeps PAL's range and sign). A departure from PAL's paper.
    /// </summary>
    Cosine,
}
