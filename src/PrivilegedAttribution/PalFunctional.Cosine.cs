namespace PrivilegedAttribution;

public static partial class PalFunctional
{
    /// <summary>
    /// (B,M,1,1) per map −Σ a·h / (‖a‖·‖h‖) over the two spatial dimensions (<see cref="PalNormalization.Cosine"/>),
    /// for (B,M,h,w) maps and a (B,1,h,w) heatmap of the same dtype. A map or heatmap that is zero everywhere gives 0
    /// with a zero gradient.
    /// </summary>
    /// <remarks>Each map (and the heatmap) is first divided by its largest magnitude, detached: the cosine does not
    /// depend on the scale, so this changes nothing but the range the arithmetic runs in (squares neither underflow at
    /// 1e-30 nor overflow at 1e30), and its gradient through the divisor is exactly zero. A divided map that is not
    /// zero has ‖a‖² ≥ 1, so the only degenerate case is an exact zero; there the norms are replaced by 1 before the
    /// square root, not after, so that the branch masked away never computes 1/0 and no NaN reaches the
    /// gradient.</remarks>
    internal static Tensor NegativeCosine(Tensor maps, Tensor heatmap)
    {
        var (a, mapIsZero) = DividedByPeak(maps);
        var (h, heatmapIsZero) = DividedByPeak(heatmap);
        var degenerate = mapIsZero.logical_or(heatmapIsZero);
        var dot = (a * h).sum([2, 3], keepdim: true);
        var squaredNorms = a.Squared().sum([2, 3], keepdim: true) * h.Squared().sum([2, 3], keepdim: true);
        var safeSquaredNorms = where(degenerate, ones_like(squaredNorms), squaredNorms);
        return (dot * safeSquaredNorms.rsqrt()).Filled(degenerate, 0.0).neg();
    }

    /// <summary>Each (h,w) map divided by its largest magnitude (detached), and (…,1,1) whether it is zero
    /// everywhere (it is then left as it is).</summary>
    private static (Tensor Scaled, Tensor IsZero) DividedByPeak(Tensor maps)
    {
        var peak = maps.detach().abs().amax([2, 3], keepdim: true);
        var isZero = peak.AtMost(0.0); // the largest magnitude: never below 0
        return (maps / where(isZero, ones_like(peak), peak), isZero);
    }
}
