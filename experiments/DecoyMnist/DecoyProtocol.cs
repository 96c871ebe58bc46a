namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>When a decoy is pasted: its grey level says the label in training and lies at test time.</summary>
public enum DecoyPhase
{
    /// <summary>The grey level encodes the true label (the shortcut).</summary>
    Train,

    /// <summary>The protocol's test-time grey level.</summary>
    Test,

    /// <summary>A training grey level of a random class: the decoy carries no label information. Used for the
    /// validation split, so that choosing hyper-parameters never sees either protocol's test mapping.</summary>
    Shuffled,
}

/// <summary>
/// A published Decoy-MNIST protocol: a square patch in a random corner whose grey level depends on the label.
/// </summary>
/// <param name="Name">Short name used on the command line and in tables.</param>
/// <param name="PatchSize">Side of the square, in pixels.</param>
/// <param name="Description">Where the protocol comes from and what it does.</param>
public sealed record DecoyProtocol(string Name, int PatchSize, string Description)
{
    /// <summary>Ross, Hughes and Doshi-Velez (IJCAI 2017): 4×4, grey 255 − 25·y in training and 255 − 25·r at
    /// test (r a random class).</summary>
    public static DecoyProtocol Rrr { get; } = new("rrr", 4,
        "Ross et al. 2017: 4×4 corner square, grey 255−25·y (train), 255−25·r with r random (test)");

    /// <summary>Rieger, Singh, Murdoch and Yu (ICML 2020, CDEP): 5×5, grey 255 − 25·y in training and 25·y at
    /// test.</summary>
    public static DecoyProtocol Cdep { get; } = new("cdep", 5,
        "Rieger et al. 2020: 5×5 corner patch, grey 255−25·y (train), 25·y (test)");

    /// <summary>Both protocols, in the order tables list them.</summary>
    public static IReadOnlyList<DecoyProtocol> All { get; } = [Cdep, Rrr];

    /// <summary>The protocol named <paramref name="name"/> (case-insensitive).</summary>
    public static DecoyProtocol Parse(string name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException(
            $"Unknown decoy protocol '{name}'; use {string.Join(" or ", All.Select(p => p.Name))}.", nameof(name));

    /// <summary>The grey level (0–255) of the patch for an image of class <paramref name="label"/>.</summary>
    public int Grey(int label, DecoyPhase phase, Random random, int classes = 10) => phase switch
    {
        DecoyPhase.Train => 255 - 25 * label,
        DecoyPhase.Shuffled => 255 - 25 * random.Next(classes),
        DecoyPhase.Test when this == Rrr => 255 - 25 * random.Next(classes),
        DecoyPhase.Test => 25 * label,
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, null),
    };

    /// <summary>Copies <paramref name="clean"/> and pastes a patch in a random corner of each image.</summary>
    /// <returns>The decoyed images and, per image, a 0/1 mask of the patch (the annotation Ross et al. give
    /// their penalty; the experiment's privileged information is the clean ink instead).</returns>
    public (DigitImages Images, float[] PatchMasks) Paste(DigitImages clean, DecoyPhase phase, int seed)
    {
        var random = new Random(seed);
        var images = clean.Copy();
        var masks = new float[clean.Pixels.Length];
        var (height, width) = (clean.Height, clean.Width);
        for (var n = 0; n < images.Count; n++)
        {
            var top = random.Next(2) == 0 ? 0 : height - PatchSize;
            var left = random.Next(2) == 0 ? 0 : width - PatchSize;
            var value = Grey(images.Labels[n], phase, random, clean.Classes) / 255f;
            var image = images.Image(n);
            var mask = masks.AsSpan(n * height * width, height * width);
            for (var i = top; i < top + PatchSize; i++)
            {
                for (var j = left; j < left + PatchSize; j++)
                {
                    image[i * width + j] = value;
                    mask[i * width + j] = 1;
                }
            }
        }

        return (images, masks);
    }
}
