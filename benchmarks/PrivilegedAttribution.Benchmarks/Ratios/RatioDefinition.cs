namespace PrivilegedAttribution.Benchmarks.Ratios;

/// <summary>A ratio of two contenders' times, taken round by round (both measured within the same round, minutes
/// apart at most) and summarised by the median over rounds.</summary>
/// <param name="Label">What the ratio means.</param>
/// <param name="Numerator">Key of the contender on top.</param>
/// <param name="Denominator">Key of the contender below.</param>
/// <param name="Target">The target as text (empty when the ratio is context).</param>
/// <param name="Meets">Whether a median meets the target (null when there is none).</param>
public sealed record RatioDefinition(
    string Label,
    string Numerator,
    string Denominator,
    string Target = "",
    Func<double, bool>? Meets = null);
