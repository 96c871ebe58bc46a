using PrivilegedAttribution.Benchmarks.Workloads;

namespace PrivilegedAttribution.Benchmarks.Ratios;

/// <summary>
/// A named set of ratios on one workload, selectable with <c>ratios --suites NAME[,NAME…]</c>: the model and the size
/// FER users train at, the steps timed, the ratios taken from them and the steps whose peak memory is probed. The
/// <c>--config</c> profile decides the size: <c>short</c> (CI's smoke run) shrinks every suite to its first batch and
/// input size (batch 2, 48×48: proves that it runs), <c>medium</c> and <c>full</c> run the suite's own size and differ
/// in rounds and steps per block.
/// </summary>
/// <param name="Name">The command-line name, e.g. "resnet18-112".</param>
/// <param name="Description">What the suite measures, for the report.</param>
/// <param name="Workload">The model, batch and input size at <c>medium</c> and <c>full</c>.</param>
/// <param name="Steps">The steps timed, in the order of their groups (a step's two frameworks run back to back).
/// </param>
/// <param name="TimeRatios">Ratios of the steps' wall times per step, over contender keys.</param>
/// <param name="MemoryRatios">Ratios of the probed peak memories.</param>
/// <param name="WithHeatmap">Whether the heatmap rendering is timed beside the steps.</param>
public sealed record RatioSuite(
    string Name,
    string Description,
    WorkloadOptions Workload,
    IReadOnlyList<SuiteStep> Steps,
    IReadOnlyList<RatioDefinition> TimeRatios,
    IReadOnlyList<RatioDefinition> MemoryRatios,
    bool WithHeatmap)
{
    /// <summary>Contender keys of TorchSharp's steps start with this.</summary>
    public const string TorchSharp = "TorchSharp";

    /// <summary>Contender keys of PyTorch's steps start with this.</summary>
    public const string PyTorch = "PyTorch";

    /// <summary>The key of the heatmap rendering's contender.</summary>
    public const string HeatmapKey = $"{TorchSharp} heatmap 64×68 at 28×28";

    // Issue 13's targets (medians of interleaved rounds on each CPU kind).
    private const double PalOverPlainLayer3 = 1.4;
    private const double PalOverPlainClosedForm = 1.05;
    private const double TorchSharpOverPyTorchPal = 1.00;
    private const double PeakMemoryPalOverPlain = 1.3;

    // Issue 24's bar for a first-order variant to become the documented fast option (with ≥ 90 % of PAL's gain).
    private const double FastOptionOverPlain = 1.05;

    /// <summary>ResNet-18, batch 16, 112×112: the issue's workload, every PAL variant.</summary>
    public static RatioSuite ResNet18At112 { get; } = new(
        "resnet18-112",
        "ResNet-18, batch 16, 112×112 (the issue's workload): plain step; PAL at layer3 through PalObjective, the " +
        "straightforward functional path and without the tap's copy; PAL at layer4 by autograd and in closed form; " +
        "plain and PAL at layer3 on the batch laid out channels-last; heatmap rendering",
        new WorkloadOptions("resnet18", 16, 112),
        [
            new("plain", TrainingStep.Plain, "layer3", "plain", true, ProbeZeroedInPlace: true),
            new("PAL layer3", TrainingStep.PalObjective, "layer3", "pal", true, ProbeZeroedInPlace: true),
            new("PAL layer3 straightforward", TrainingStep.PalStraightforward, "layer3", null, true),
            new("PAL layer3 no clone", TrainingStep.PalObjectiveNoClone, "layer3", "pal_noclone", false),
            new("PAL layer4", TrainingStep.PalObjective, "layer4", "pal", false),
            new("PAL layer4 closed form", TrainingStep.PalClosedForm, "layer4", "pal_closed", true),
            .. ChannelsLastSteps,
        ],
        [
            PalOverPlain("layer3, straightforward functional path", "PAL layer3 straightforward"),
            PalOverPlain("layer3, PalObjective", "PAL layer3", PalOverPlainLayer3),
            PalOverPlain("layer3, PalObjective without the tap's copy", "PAL layer3 no clone"),
            PalOverPlain("layer4, autograd (double backward)", "PAL layer4"),
            PalOverPlain("layer4, closed form (GlobalPoolLinearHead)", "PAL layer4 closed form",
                PalOverPlainClosedForm),
            SharpOverPython("plain step", "plain"),
            SharpOverPython("PAL step at layer3", "PAL layer3", TorchSharpOverPyTorchPal),
            SharpOverPython("PAL step at layer3 without copy", "PAL layer3 no clone"),
            SharpOverPython("PAL step at layer4, autograd", "PAL layer4"),
            SharpOverPython("PAL step at layer4, closed form", "PAL layer4 closed form"),
            PythonPalOverPlain("layer3", "PAL layer3"),
            PythonPalOverPlain("layer4, closed form", "PAL layer4 closed form"),
            .. ChannelsLastRatios,
            new("Heatmap 64×68 at 28×28 / plain step", HeatmapKey, $"{TorchSharp} plain", "< 0.02", r => r < 0.02),
        ],
        [
            PeakOverPlain("layer3", "PAL layer3", PeakMemoryPalOverPlain),
            PeakOverPlain("layer3, straightforward", "PAL layer3 straightforward"),
            PeakOverPlain("layer4, closed form", "PAL layer4 closed form"),
            PythonPeakOverPlain("layer3", "PAL layer3"),
            PeakOverPlain("layer3, both channels-last", "PAL layer3 channels-last"),
            .. ZeroedInPlaceRatios,
        ],
        WithHeatmap: true);

    /// <summary>ResNet-18, batch 32, 224×224: FER at ImageNet's resolution.</summary>
    public static RatioSuite ResNet18At224 { get; } = new(
        "resnet18-224",
        "ResNet-18, batch 32, 224×224 (FER at full resolution): plain step; PAL at layer3 (PalObjective); PAL at " +
        "layer4 in closed form; plain and PAL at layer3 on the batch laid out channels-last",
        new WorkloadOptions("resnet18", 32, 224),
        [
            new("plain", TrainingStep.Plain, "layer3", "plain", true),
            new("PAL layer3", TrainingStep.PalObjective, "layer3", "pal", true),
            new("PAL layer4 closed form", TrainingStep.PalClosedForm, "layer4", "pal_closed", false),
            .. ChannelsLastSteps,
        ],
        [
            PalOverPlain("layer3, PalObjective", "PAL layer3", PalOverPlainLayer3),
            PalOverPlain("layer4, closed form (GlobalPoolLinearHead)", "PAL layer4 closed form",
                PalOverPlainClosedForm),
            SharpOverPython("plain step", "plain"),
            SharpOverPython("PAL step at layer3", "PAL layer3", TorchSharpOverPyTorchPal),
            SharpOverPython("PAL step at layer4, closed form", "PAL layer4 closed form"),
            PythonPalOverPlain("layer3", "PAL layer3"),
            .. ChannelsLastRatios,
        ],
        [
            PeakOverPlain("layer3", "PAL layer3", PeakMemoryPalOverPlain),
            PythonPeakOverPlain("layer3", "PAL layer3"),
            PeakOverPlain("layer3, both channels-last", "PAL layer3 channels-last"),
        ],
        WithHeatmap: false);

    /// <summary>VGG-11-BN, batch 16, 112×112, PAL at <c>features.20</c> (the ReLU after the sixth convolution, stride
    /// 16): the VGG that PAL's experiments train.</summary>
    public static RatioSuite Vgg11BnAt112 { get; } = new(
        "vgg11bn-112",
        "VGG-11-BN, batch 16, 112×112: plain step; PAL at features.20 (PalObjective)",
        new WorkloadOptions("vgg11_bn", 16, 112) { PalLayer = "features.20" },
        [
            new("plain", TrainingStep.Plain, "features.20", "plain", true),
            new("PAL features.20", TrainingStep.PalObjective, "features.20", "pal", true),
        ],
        [
            PalOverPlain("features.20, PalObjective", "PAL features.20"),
            SharpOverPython("plain step", "plain"),
            SharpOverPython("PAL step at features.20", "PAL features.20", TorchSharpOverPyTorchPal),
            PythonPalOverPlain("features.20", "PAL features.20"),
        ],
        [
            PeakOverPlain("features.20", "PAL features.20", PeakMemoryPalOverPlain),
            PythonPeakOverPlain("features.20", "PAL features.20"),
        ],
        WithHeatmap: false);

    /// <summary>ResNet-18, batch 16, 112×112: PAL against its first-order relatives (issue 24) at <c>layer3</c> and at
    /// <c>layer1</c>, where PAL's double backward is dearest. TorchSharp only (the variants have no PyTorch
    /// counterpart); peak memory probed at <c>layer3</c>.</summary>
    public static RatioSuite ResNet18VariantsAt112 { get; } = new(
        "resnet18-112-variants",
        "ResNet-18, batch 16, 112×112: plain step; at layer3 and layer1, PAL (PalObjective, G ⊙ A, second order), " +
        "PAL with G detached (first order), Grad-CAM maps with and without the second order, and the channel-mean " +
        "activation aligned by Pearson correlation and by cosine",
        new WorkloadOptions("resnet18", 16, 112),
        [
            new("plain", TrainingStep.Plain, "layer3", null, true),
            .. VariantSteps("layer3", probeMemory: true),
            .. VariantSteps("layer1", probeMemory: false),
        ],
        [.. VariantRatios("layer3"), .. VariantRatios("layer1")],
        [
            .. Variants.Select(v => Bounded($"Step / plain step, layer3, {v.What}", $"{TorchSharp} {v.Name} layer3",
                $"{TorchSharp} plain", null)),
        ],
        WithHeatmap: false);

    /// <summary>PAL and its first-order relatives: each step's contender name (followed by the layer), its kind, and
    /// what it is, for the report.</summary>
    private static (string Name, TrainingStep Step, string What)[] Variants =>
    [
        ("PAL", TrainingStep.PalObjective, "PAL (G ⊙ A, second order)"),
        ("PAL first-order", TrainingStep.PalFirstOrder, "PAL with G detached (first order)"),
        ("Grad-CAM", TrainingStep.GradCam, "Grad-CAM maps, second order"),
        ("Grad-CAM first-order", TrainingStep.GradCamFirstOrder, "Grad-CAM maps, first order"),
        ("activation Pearson", TrainingStep.ActivationPearson, "channel-mean activation, Pearson"),
        ("activation cosine", TrainingStep.ActivationCosine, "channel-mean activation, cosine"),
    ];

    private static IEnumerable<SuiteStep> VariantSteps(string layer, bool probeMemory) =>
        Variants.Select(v => new SuiteStep($"{v.Name} {layer}", v.Step, layer, null, probeMemory));

    /// <summary>Each variant's step over the plain step (the issue's bar for a fast option: ≤ 1.05) and, for the
    /// first-order relatives, over PAL's step at the same layer.</summary>
    private static IEnumerable<RatioDefinition> VariantRatios(string layer) =>
        Variants.Select(v => v.Step == TrainingStep.PalObjective
                ? Bounded($"PAL step / plain step, {layer}, {v.What}", $"{TorchSharp} {v.Name} {layer}",
                    $"{TorchSharp} plain", null)
                : Bounded($"Variant step / plain step, {layer}, {v.What}", $"{TorchSharp} {v.Name} {layer}",
                    $"{TorchSharp} plain", FastOptionOverPlain))
            .Concat(Variants.Where(v => v.Step != TrainingStep.PalObjective).Select(v =>
                Bounded($"Variant step / PAL step, {layer}, {v.What}", $"{TorchSharp} {v.Name} {layer}",
                    $"{TorchSharp} PAL {layer}", null)));

    /// <summary>The ResNet-18 suites' steps on the batch laid out channels-last (<see cref="ChannelsLast.Of"/>; in
    /// PyTorch <c>torch.channels_last</c>).</summary>
    private static SuiteStep[] ChannelsLastSteps =>
    [
        new("plain channels-last", TrainingStep.PlainChannelsLast, "layer3", "plain_cl", true),
        new("PAL layer3 channels-last", TrainingStep.PalObjectiveChannelsLast, "layer3", "pal_cl", true),
    ];

    /// <summary>What the channels-last layout gains in each framework, and the comparison of each framework in its
    /// faster layout: LibTorch 2.10's oneDNN gains from it, PyTorch 1.13's PAL step loses (the last row divides by
    /// PyTorch's plain-layout PAL step for that reason; the row before it is layout for layout).</summary>
    private static RatioDefinition[] ChannelsLastRatios =>
    [
        PalOverPlain("layer3, PalObjective, both channels-last", "PAL layer3 channels-last"),
        Bounded("TorchSharp: channels-last / plain layout, plain step", $"{TorchSharp} plain channels-last",
            $"{TorchSharp} plain", null),
        Bounded("TorchSharp: channels-last / plain layout, PAL step at layer3",
            $"{TorchSharp} PAL layer3 channels-last", $"{TorchSharp} PAL layer3", null),
        Bounded("PyTorch: channels-last / plain layout, PAL step at layer3", $"{PyTorch} PAL layer3 channels-last",
            $"{PyTorch} PAL layer3", null),
        SharpOverPython("PAL step at layer3, both channels-last", "PAL layer3 channels-last"),
        Bounded("TorchSharp channels-last / PyTorch plain layout, PAL step at layer3",
            $"{TorchSharp} PAL layer3 channels-last", $"{PyTorch} PAL layer3", null),
    ];

    /// <summary>What dropping the gradients (<c>model.zero_grad()</c>) instead of zeroing them in place
    /// (<c>optimizer.zero_grad()</c>) changes in the peaks: kept gradients are allocated through the forward, and
    /// PAL's second-order weight gradients of the layers above the tapped one wait beside them.</summary>
    private static RatioDefinition[] ZeroedInPlaceRatios =>
    [
        Bounded($"PAL step / plain step, layer3{SuiteStep.ZeroedInPlace}",
            $"{TorchSharp} PAL layer3{SuiteStep.ZeroedInPlace}", $"{TorchSharp} plain{SuiteStep.ZeroedInPlace}", null),
        Bounded($"PyTorch: PAL step / plain step, layer3{SuiteStep.ZeroedInPlace}",
            $"{PyTorch} PAL layer3{SuiteStep.ZeroedInPlace}", $"{PyTorch} plain{SuiteStep.ZeroedInPlace}", null),
        Bounded("Gradients dropped / zeroed in place, plain step", $"{TorchSharp} plain",
            $"{TorchSharp} plain{SuiteStep.ZeroedInPlace}", null),
        Bounded("Gradients dropped / zeroed in place, PAL step at layer3", $"{TorchSharp} PAL layer3",
            $"{TorchSharp} PAL layer3{SuiteStep.ZeroedInPlace}", null),
    ];

    /// <summary>Every suite, by name.</summary>
    public static IReadOnlyList<RatioSuite> All { get; } =
        [ResNet18At112, ResNet18At224, Vgg11BnAt112, ResNet18VariantsAt112];

    /// <summary>The suites a comma-separated list names ("all" for every suite; null or empty for
    /// <see cref="ResNet18At112"/>, the issue's workload).</summary>
    /// <exception cref="ArgumentException">A name that is no suite's.</exception>
    public static IReadOnlyList<RatioSuite> Named(string? names)
    {
        if (string.IsNullOrWhiteSpace(names))
        {
            return [ResNet18At112];
        }

        if (names.Trim() == "all")
        {
            return All;
        }

        return names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(name => All.FirstOrDefault(s => s.Name == name) ?? throw new ArgumentException(
                $"Unknown ratio suite '{name}': {string.Join(", ", All.Select(s => s.Name))} or all.", nameof(names)))
            .ToArray();
    }

    /// <summary>The workload <paramref name="profile"/> runs: the suite's own at <c>medium</c> and <c>full</c>, the
    /// profile's first batch and input size at <c>short</c> (a smoke run).</summary>
    public WorkloadOptions OptionsFor(BenchmarkProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return profile == BenchmarkProfile.Short
            ? Workload with { Batch = profile.BatchSizes[0], Size = profile.InputSizes[0] }
            : Workload;
    }

    private static RatioDefinition PalOverPlain(string what, string pal, double? target = null) =>
        Bounded($"PAL step / plain step, {what}", $"{TorchSharp} {pal}", $"{TorchSharp} plain", target);

    private static RatioDefinition SharpOverPython(string what, string step, double? target = null) =>
        Bounded($"TorchSharp / PyTorch, {what}", $"{TorchSharp} {step}", $"{PyTorch} {step}", target);

    private static RatioDefinition PythonPalOverPlain(string what, string pal) =>
        Bounded($"PyTorch: PAL step / plain step, {what}", $"{PyTorch} {pal}", $"{PyTorch} plain", null);

    // Memory ratios are labelled without the measure: the report prints each once per MemoryMeasure.
    private static RatioDefinition PeakOverPlain(string what, string pal, double? target = null) =>
        Bounded($"PAL step / plain step, {what}", $"{TorchSharp} {pal}", $"{TorchSharp} plain", target);

    private static RatioDefinition PythonPeakOverPlain(string what, string pal) =>
        Bounded($"PyTorch: PAL step / plain step, {what}", $"{PyTorch} {pal}", $"{PyTorch} plain", null);

    private static RatioDefinition Bounded(string label, string top, string bottom, double? target) =>
        target is { } bound
            ? new RatioDefinition(label, top, bottom, FormattableString.Invariant($"≤ {bound:0.00#}"),
                r => r <= bound)
            : new RatioDefinition(label, top, bottom);
}
