namespace PrivilegedAttribution;

/// <summary>How the Gaussians of several landmarks combine into one heatmap.</summary>
public enum HeatmapCombine
{
    /// <summary>The sum of the Gaussians (default).</summary>
    Sum,

    /// <summary>The pointwise maximum of the Gaussians.</summary>
    Max,
}
