namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>
/// Cluttered digits (the "cluttered MNIST" of Mnih et al., NeurIPS 2014, scaled to the 28×28 canvas): square
/// fragments cut from random other digits are pasted at random places of each image, combined with the image by
/// maximum. The clutter is independent of the label, so it is no shortcut, only nuisance strokes that a network
/// trained on few images can mistake for the digit: the setting of PAL's paper (faces in cluttered scenes, few
/// training images), with the clean digit's ink as the privileged information.
/// </summary>
/// <param name="Fragments">Fragments pasted on each image.</param>
/// <param name="FragmentSize">Side of a fragment, in pixels.</param>
public sealed record Clutter(int Fragments, int FragmentSize)
{
    /// <summary>The protocol's default: 4 fragments of 8×8 pixels per image.</summary>
    public static Clutter Default { get; } = new(4, 8);

    /// <summary>A copy of <paramref name="clean"/> with fragments of <paramref name="source"/>'s digits pasted on
    /// each image.</summary>
    /// <exception cref="ArgumentException">The images differ in size, a fragment does not fit, or
    /// <paramref name="source"/> has fewer than two images.</exception>
    public DigitImages Paste(DigitImages clean, DigitImages source, int seed)
    {
        if (source.Height != clean.Height || source.Width != clean.Width)
        {
            throw new ArgumentException(
                $"{nameof(source)} holds {source.Height}×{source.Width} images; {nameof(clean)} holds " +
                $"{clean.Height}×{clean.Width}.", nameof(source));
        }

        if (Fragments < 0 || FragmentSize < 1 || FragmentSize > clean.Height || FragmentSize > clean.Width)
        {
            throw new ArgumentException(
                $"{Fragments} fragments of {FragmentSize}×{FragmentSize} pixels do not fit {clean.Height}×" +
                $"{clean.Width} images.", nameof(clean));
        }

        if (source.Count < 2)
        {
            throw new ArgumentException($"{nameof(source)} needs at least two images; got {source.Count}.",
                nameof(source));
        }

        var random = new Random(seed);
        var images = clean.Copy();
        var (height, width) = (clean.Height, clean.Width);
        for (var n = 0; n < images.Count; n++)
        {
            var image = images.Image(n);
            for (var f = 0; f < Fragments; f++)
            {
                // A fragment of another digit: from the middle 20×20, where MNIST's ink is, so it is rarely blank.
                var donor = source.Image(random.Next(source.Count));
                var fromTop = 4 + random.Next(Math.Max(1, height - 8 - FragmentSize + 1));
                var fromLeft = 4 + random.Next(Math.Max(1, width - 8 - FragmentSize + 1));
                var toTop = random.Next(height - FragmentSize + 1);
                var toLeft = random.Next(width - FragmentSize + 1);
                for (var i = 0; i < FragmentSize; i++)
                {
                    for (var j = 0; j < FragmentSize; j++)
                    {
                        var target = (toTop + i) * width + toLeft + j;
                        image[target] = Math.Max(image[target], donor[(fromTop + i) * width + fromLeft + j]);
                    }
                }
            }
        }

        return images;
    }
}
