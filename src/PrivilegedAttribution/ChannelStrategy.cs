namespace PrivilegedAttribution;

/// <summary>How the channels of an attribution tensor (B,C,h,w) become the maps that PAL correlates with the
/// heatmap (Bonnard et al. 2022, section 3.2).</summary>
public enum ChannelStrategyKind
{
    /// <summary>One map per sample: the mean over all channels.</summary>
    Mean,

    /// <summary>One map per channel: every channel is constrained separately.</summary>
    AllChannels,

    /// <summary>One map per sample: the mean over the first ⌈f·C⌉ channels; the others stay free.</summary>
    FirstFraction,
}

/// <summary>
/// A channel strategy for <see cref="PalLoss"/>: <see cref="Mean"/> (default), <see cref="AllChannels"/> or
/// <see cref="FirstFraction(double)"/> (f = ½ is the paper's "mean of half").
/// </summary>
public sealed record ChannelStrategy
{
    private ChannelStrategy(ChannelStrategyKind kind, double fraction)
    {
        Kind = kind;
        Fraction = fraction;
    }

    /// <summary>Which strategy this is.</summary>
    public ChannelStrategyKind Kind { get; }

    /// <summary>The fraction f of leading channels averaged by <see cref="ChannelStrategyKind.FirstFraction"/>;
    /// 1 for the other strategies.</summary>
    public double Fraction { get; }

    /// <summary>One map per sample, the mean over all channels (the paper's default).</summary>
    public static ChannelStrategy Mean { get; } = new(ChannelStrategyKind.Mean, 1.0);

    /// <summary>Each channel is a map of its own.</summary>
    public static ChannelStrategy AllChannels { get; } = new(ChannelStrategyKind.AllChannels, 1.0);

    /// <summary>One map per sample, the mean over the first ⌈<paramref name="fraction"/>·C⌉ channels.</summary>
    /// <param name="fraction">In (0, 1]; ½ is the paper's "mean of half".</param>
    /// <exception cref="ArgumentOutOfRangeException">The fraction is not in (0, 1].</exception>
    public static ChannelStrategy FirstFraction(double fraction)
    {
        if (!(fraction > 0.0 && fraction <= 1.0))
        {
            throw new ArgumentOutOfRangeException(
                nameof(fraction), fraction, $"{nameof(fraction)} must be in (0, 1]; got {fraction}.");
        }

        return new ChannelStrategy(ChannelStrategyKind.FirstFraction, fraction);
    }

    /// <summary>The number of leading channels this strategy reads from a tensor with
    /// <paramref name="channels"/> channels.</summary>
    public long ChannelsUsed(long channels) => Kind == ChannelStrategyKind.FirstFraction
        ? Math.Clamp((long)Math.Ceiling(Fraction * channels - 1e-9), 1, channels)
        : channels;

    /// <inheritdoc />
    public override string ToString() => Kind == ChannelStrategyKind.FirstFraction
        ? $"FirstFraction({Fraction.ToString(System.Globalization.CultureInfo.InvariantCulture)})"
        : Kind.ToString();

    /// <summary>
    /// Reads a strategy as <see cref="ToString"/> prints it (<c>Mean</c>, <c>AllChannels</c>,
    /// <c>FirstFraction(0.5)</c>) or in the short forms command lines use (<c>mean</c>, <c>all</c>, <c>half</c> for
    /// the paper's mean of half the channels, <c>first:0.25</c>); case-insensitive, fractions in the invariant
    /// culture.
    /// </summary>
    /// <exception cref="FormatException"><paramref name="text"/> is none of these (the message lists them).
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">The fraction is not in (0, 1].</exception>
    public static ChannelStrategy Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        switch (trimmed.ToLowerInvariant())
        {
            case "mean":
                return Mean;
            case "all" or "allchannels":
                return AllChannels;
            case "half":
                return FirstFraction(0.5);
        }

        var fraction = trimmed.StartsWith("first:", StringComparison.OrdinalIgnoreCase)
            ? trimmed["first:".Length..]
            : trimmed.StartsWith("FirstFraction(", StringComparison.OrdinalIgnoreCase) && trimmed.EndsWith(')')
                ? trimmed["FirstFraction(".Length..^1]
                : null;
        if (fraction is not null && double.TryParse(fraction, System.Globalization.NumberStyles.Float,
                System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            return FirstFraction(value);
        }

        throw new FormatException(
            $"'{text}' is not a channel strategy: use Mean (mean), AllChannels (all), FirstFraction(F) (first:F) " +
            "with F in (0, 1], or half for FirstFraction(0.5).");
    }
}
