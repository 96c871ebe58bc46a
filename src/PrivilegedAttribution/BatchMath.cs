namespace PrivilegedAttribution;

/// <summary>Small tensor helpers the functional forms share.</summary>
internal static class BatchMath
{
    /// <summary>Per-sample values reduced over the batch as <see cref="nn.Reduction"/> says.</summary>
    internal static Tensor Reduce(Tensor perSample, nn.Reduction reduction) => reduction switch
    {
        nn.Reduction.Mean => perSample.mean(),
        nn.Reduction.Sum => perSample.sum(),
        nn.Reduction.None => perSample,
        _ => throw new ArgumentOutOfRangeException(nameof(reduction), reduction, null),
    };

    /// <summary>(B,H,W) maps each divided by their maximum (peak 1); an all-zero map stays zero instead of 0/0.
    /// </summary>
    internal static Tensor ScaledToPeakOne(Tensor maps)
    {
        var peak = maps.amax([1, 2], keepdim: true);
        return where(peak.Above(0.0), maps / peak.AtLeastClamped(double.Epsilon), zeros_like(maps));
    }
}
