namespace PrivilegedAttribution;

/// <summary>How a standardised attribution map is compared with the heatmap.</summary>
public enum PalNormalization
{
    /// <summary>Per map −(1/N)·Σ z·ĥ with ĥ the standardised heatmap: the negative Pearson correlation, in [−1, 1];
    /// per sample the mean over maps (default).</summary>
    Pearson,

    /// <summary>Per map −Σ z·h with the heatmap as given (the paper's form); per sample the sum over maps.</summary>
    CrossCorrelation,
}
