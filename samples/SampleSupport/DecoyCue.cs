namespace PrivilegedAttribution.Samples;

/// <summary>The shape of the integration samples' decoy and what its look tells.</summary>
public enum DecoyKind
{
    /// <summary>Decoy MNIST as published (Rieger et al. 2020, CDEP): a square in a random corner whose grey is
    /// 255 − 25·y in training and 25·y at test.</summary>
    GreyPatch,

    /// <summary>The same square painted in one of ten far-apart colours: class y's in training, a random other
    /// class's at validation and test time (a lie for every image).</summary>
    ColourPatch,

    /// <summary>A frame around the digit in class y's colour in training and a random other class's at validation
    /// and test time: a cue of a seventh of the image or more (width 1 of 28), apart from the ink, which a network
    /// with global pooling reads at once.</summary>
    ColourFrame,
}

/// <summary>Pastes a <see cref="DecoyKind"/> decoy into digits: where it lies (a 0/1 mask per image, at the digits'
/// resolution) and, for the colour kinds, the colour each image's decoy is painted in.</summary>
/// <param name="Kind">Shape and cue.</param>
/// <param name="Size">The patch's side or the frame's width, in the digits' pixels.</param>
public sealed record DecoyCue(DecoyKind Kind, int Size)
{
    // Ten colours far apart (matplotlib's tab10), one per class, RGB in [0, 1].
    private static readonly float[][] Palette = new[]
    {
        0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf,
    }.Select(rgb => new[] { (rgb >> 16) / 255f, ((rgb >> 8) & 0xff) / 255f, (rgb & 0xff) / 255f }).ToArray();

    /// <summary>The digits with the decoy pasted (grey patch: its grey; colour kinds: untouched, the colour is painted
    /// by the caller) and a 0/1 mask per image of where it lies.</summary>
    public (DigitImages Images, float[] Masks) Paste(DigitImages clean, DecoyPhase phase, int seed)
    {
        ArgumentNullException.ThrowIfNull(clean);
        switch (Kind)
        {
            case DecoyKind.GreyPatch:
                return (DecoyProtocol.Cdep with { PatchSize = Size }).Paste(clean, phase, seed);
            case DecoyKind.ColourPatch:
                // The published patch's corners and masks; its grey is replaced by the colour.
                var (_, masks) = (DecoyProtocol.Cdep with { PatchSize = Size }).Paste(clean, phase, seed);
                return (clean, masks);
            default:
                var (height, width) = (clean.Height, clean.Width);
                var frame = new float[height * width];
                for (var i = 0; i < height; i++)
                {
                    for (var j = 0; j < width; j++)
                    {
                        var inside = i >= Size && i < height - Size && j >= Size && j < width - Size;
                        frame[i * width + j] = inside ? 0 : 1;
                    }
                }

                return (clean, Enumerable.Repeat(frame, clean.Count).SelectMany(m => m).ToArray());
        }
    }

    /// <summary>(N·3) RGB colours of each image's decoy, or null for the grey patch: class y's in training, and a
    /// random other class's at validation (<see cref="DecoyPhase.Shuffled"/>) and test time, drawn anew per image
    /// (as Ross et al.'s test decoys are), so that the validation split sees the same kind of lie as the test split
    /// on other digits.</summary>
    public float[]? Colours(DigitImages clean, DecoyPhase phase, int seed)
    {
        ArgumentNullException.ThrowIfNull(clean);
        if (Kind == DecoyKind.GreyPatch)
        {
            return null;
        }

        var random = new Random(seed + 7919);
        return clean.Labels.SelectMany(label => Palette[phase == DecoyPhase.Train
            ? label
            : (label + 1 + random.Next(Palette.Length - 1)) % Palette.Length]).ToArray();
    }

    /// <summary>How it reads in a sentence.</summary>
    public override string ToString() => Kind switch
    {
        DecoyKind.GreyPatch => $"a {Size}×{Size} corner patch (of 28×28) of grey 255−25·y in training, 25·y at test",
        DecoyKind.ColourPatch => $"a {Size}×{Size} corner patch (of 28×28) in class y's colour in training, another " +
                                 "class's at test",
        _ => $"a {Size}-pixel frame (of 28×28) in class y's colour in training, a random other class's at test",
    };
}
