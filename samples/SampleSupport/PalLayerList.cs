namespace PrivilegedAttribution.Samples;

/// <summary>PAL layers written on a command line: <c>NAME[=STRATEGY]</c>, comma-separated, e.g.
/// <c>layer1,layer2=half</c> (strategies as <see cref="ChannelStrategy.Parse"/> reads them; mean when omitted); each
/// layer's λ is 1.</summary>
public static class PalLayerList
{
    /// <summary>The layers of <paramref name="text"/>.</summary>
    /// <exception cref="FormatException">An empty list or name, or a strategy <see cref="ChannelStrategy.Parse"/>
    /// does not know.</exception>
    public static IReadOnlyList<PalLayer> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var layers = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(item =>
            {
                var parts = item.Split('=', 2, StringSplitOptions.TrimEntries);
                if (parts[0].Length == 0)
                {
                    throw new FormatException($"'{item}' in '{text}' names no layer; write NAME[=STRATEGY].");
                }

                return new PalLayer(parts[0], Weight: 1.0,
                    parts.Length == 2 ? ChannelStrategy.Parse(parts[1]) : null);
            })
            .ToList();
        return layers.Count > 0
            ? layers
            : throw new FormatException($"'{text}' lists no layer; write NAME[=STRATEGY],... e.g. layer1,layer2=half.");
    }
}
