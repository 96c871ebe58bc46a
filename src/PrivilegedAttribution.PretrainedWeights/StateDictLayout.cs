namespace PrivilegedAttribution;

/// <summary>
/// Recognises the torchvision architecture a state dict belongs to from its names and shapes alone, so that a
/// refusal can state the real cause ("the file is a VGG-11, the model a ResNet-18") instead of a list of names.
/// ResNets: <c>conv1</c>, <c>bn1</c>, <c>layer1</c>…<c>layer4</c> of basic or bottleneck blocks, <c>fc</c>; the
/// depth follows from the block counts, the width and groups of bottlenecks from <c>layer1.0.conv2</c>. VGGs:
/// convolutions in <c>features.N</c> (with batch normalisation when a feature has running statistics) and
/// <c>classifier.0/3/6</c>; the depth is the number of convolutions plus the three linear layers.
/// </summary>
internal sealed record StateDictLayout(string Architecture, long? Classes)
{
    /// <summary>For example "a torchvision ResNet-18 (resnet18) with 1000 classes".</summary>
    public override string ToString() =>
        $"a torchvision {Architecture}{(Classes is { } classes ? $" with {classes} classes" : "")}";

    /// <summary>The layout of the state dict whose shapes by name are <paramref name="shapes"/>; null when it is
    /// neither a torchvision ResNet nor a torchvision VGG.</summary>
    internal static StateDictLayout? Recognise(IReadOnlyDictionary<string, long[]> shapes) =>
        ResNet(shapes) ?? Vgg(shapes);

    private static StateDictLayout? ResNet(IReadOnlyDictionary<string, long[]> shapes)
    {
        if (!shapes.ContainsKey("conv1.weight") || !shapes.ContainsKey("layer1.0.conv1.weight") ||
            !shapes.TryGetValue("fc.weight", out var fc) || fc.Length != 2)
        {
            return null;
        }

        var blocks = Enumerable.Range(1, 4).Select(stage => shapes.Keys
            .Where(name => name.StartsWith($"layer{stage}.", StringComparison.Ordinal))
            .Select(name => name.Split('.')[1]).Distinct().Count()).ToArray();
        var bottleneck = shapes.ContainsKey("layer1.0.conv3.weight");
        var depth = (bottleneck ? 3 : 2) * blocks.Sum() + 2;
        var stages = string.Join("-", blocks);
        var name = $"ResNet-{depth}";
        var function = $"resnet{depth}";
        if (bottleneck && shapes.TryGetValue("layer1.0.conv2.weight", out var conv2) && conv2.Length == 4 &&
            conv2[1] > 0)
        {
            var width = conv2[0];
            var groups = conv2[0] / conv2[1];
            if (groups > 1)
            {
                name = $"ResNeXt-{depth} {groups}x{width / groups}d";
                function = $"resnext{depth}_{groups}x{width / groups}d";
            }
            else if (width != 64)
            {
                name = $"Wide ResNet-{depth}-{width / 64}";
                function = $"wide_resnet{depth}_{width / 64}";
            }
        }

        var known = (bottleneck, stages) switch
        {
            (false, "2-2-2-2") or (false, "3-4-6-3") or (true, "3-4-6-3") or (true, "3-4-23-3") or
                (true, "3-8-36-3") => true,
            _ => false,
        };
        return new StateDictLayout(known
            ? $"{name} ({function})"
            : $"ResNet of {(bottleneck ? "bottleneck" : "basic")} blocks {stages}", fc[0]);
    }

    private static StateDictLayout? Vgg(IReadOnlyDictionary<string, long[]> shapes)
    {
        if (!shapes.ContainsKey("features.0.weight") || !shapes.ContainsKey("classifier.0.weight"))
        {
            return null;
        }

        var convolutions = shapes.Count(e => e.Key.StartsWith("features.", StringComparison.Ordinal) &&
            e.Key.EndsWith(".weight", StringComparison.Ordinal) && e.Value.Length == 4);
        var batchNorm = shapes.Keys.Any(name => name.StartsWith("features.", StringComparison.Ordinal) &&
            name.EndsWith(".running_mean", StringComparison.Ordinal));
        var depth = convolutions + 3;
        var known = depth is 11 or 13 or 16 or 19;
        var name = known
            ? $"VGG-{depth}{(batchNorm ? " with batch normalisation" : "")} (vgg{depth}{(batchNorm ? "_bn" : "")})"
            : $"VGG-like network of {convolutions} convolutions{(batchNorm ? " with batch normalisation" : "")}";
        var classes = shapes.TryGetValue("classifier.6.weight", out var head) && head.Length == 2
            ? head[0]
            : (long?)null;
        return new StateDictLayout(name, classes);
    }
}
