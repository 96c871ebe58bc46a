namespace PrivilegedAttribution.Benchmarks;

/// <summary>
/// The sizes and repetition counts of one benchmark configuration. <see cref="Short"/> is CI's smoke run (tiny
/// inputs, one iteration: it proves everything runs, its times mean nothing); <see cref="Medium"/> and
/// <see cref="Full"/> are for measuring (the workload: ResNet-18, batch 16, 112×112, 2 threads).
/// </summary>
/// <param name="Name">short, medium or full.</param>
public sealed record BenchmarkProfile(string Name)
{
    /// <summary>CI's smoke configuration: minutes on 2 cores, everything runs once.</summary>
    public static BenchmarkProfile Short { get; } = new("short")
    {
        BatchSizes = [2],
        InputSizes = [48], // ResNet's layer4 is 2×2 there: PAL needs a spatial extent (1×1 maps are an error)
        ResNetLayers = ["layer1", "layer2", "layer3", "layer4"],
        VggLayers = ["features.13", "features.20", "features.27"],
        HeatmapBatches = [64],
        HeatmapSizes = [7, 28],
        PalLossShapes = [(2, 64, 8, 8)],
        WarmupCount = 1,
        IterationCount = 1,
        Rounds = 2,
        StepsPerBlock = 2,
        WarmupRounds = 1,
        MemoryRepeats = 1,
        MemoryProcesses = 1,
        DecoyCnnBatch = 8,
        DecoyCnnStepsPerTiming = 1,
    };

    /// <summary>The workload, fewer iterations: about half an hour of BenchmarkDotNet on 2 cores.</summary>
    public static BenchmarkProfile Medium { get; } = new("medium")
    {
        BatchSizes = [16],
        InputSizes = [112],
        ResNetLayers = ["layer1", "layer2", "layer3", "layer4"],
        VggLayers = ["features.13", "features.20", "features.27"],
        HeatmapBatches = [16, 64],
        HeatmapSizes = [7, 14, 28, 56, 112],
        PalLossShapes = [(16, 64, 28, 28), (16, 256, 7, 7), (16, 512, 4, 4)],
        WarmupCount = 2,
        IterationCount = 7,
        Rounds = 15,
        StepsPerBlock = 4,
        WarmupRounds = 2,
        MemoryRepeats = 3,
        MemoryProcesses = 5,
        DecoyCnnBatch = 64,
        DecoyCnnStepsPerTiming = 10,
    };

    /// <summary>Two batch sizes and two input sizes, more iterations: hours on 2 cores.</summary>
    public static BenchmarkProfile Full { get; } = new("full")
    {
        BatchSizes = [16, 32],
        InputSizes = [112, 224],
        ResNetLayers = ["layer1", "layer2", "layer3", "layer4"],
        VggLayers = ["features.6", "features.13", "features.20", "features.27"],
        HeatmapBatches = [16, 64, 256],
        HeatmapSizes = [7, 14, 28, 56, 112, 224],
        PalLossShapes = [(16, 64, 28, 28), (16, 128, 14, 14), (16, 256, 7, 7), (16, 512, 4, 4)],
        WarmupCount = 3,
        IterationCount = 15,
        Rounds = 30,
        StepsPerBlock = 8,
        WarmupRounds = 2,
        MemoryRepeats = 5,
        MemoryProcesses = 7,
        DecoyCnnBatch = 64,
        DecoyCnnStepsPerTiming = 20,
    };

    /// <summary>The configuration the benchmark classes read their parameters from (BenchmarkDotNet runs them in
    /// this process, see <see cref="BenchmarkConfig"/>).</summary>
    public static BenchmarkProfile Current { get; set; } = Medium;

    /// <summary>Batch sizes of the training-step and attribution benchmarks.</summary>
    public int[] BatchSizes { get; init; } = [];

    /// <summary>Input sizes (height = width) of the training-step and attribution benchmarks.</summary>
    public int[] InputSizes { get; init; } = [];

    /// <summary>ResNet-18 layers tapped.</summary>
    public string[] ResNetLayers { get; init; } = [];

    /// <summary>VGG-11-BN layers tapped: the in-place ReLUs after convolutions 2, 4, 6 and 8 (strides 2 to 16).
    /// </summary>
    public string[] VggLayers { get; init; } = [];

    /// <summary>Batch sizes of the heatmap rendering benchmark (68 landmarks each).</summary>
    public int[] HeatmapBatches { get; init; } = [];

    /// <summary>Output sizes of the heatmap rendering benchmark.</summary>
    public int[] HeatmapSizes { get; init; } = [];

    /// <summary>Attribution shapes (B,C,h,w) of the PAL loss benchmark.</summary>
    public (int B, int C, int H, int W)[] PalLossShapes { get; init; } = [];

    /// <summary>BenchmarkDotNet warm-up iterations.</summary>
    public int WarmupCount { get; init; }

    /// <summary>BenchmarkDotNet measured iterations.</summary>
    public int IterationCount { get; init; }

    /// <summary>Interleaved rounds of the ratio driver.</summary>
    public int Rounds { get; init; }

    /// <summary>Consecutive steps of one contender per round in the ratio driver, timed as a block (as a training loop
    /// runs them: what one step leaves in the allocator and caches, the next one meets).</summary>
    public int StepsPerBlock { get; init; } = 1;

    /// <summary>Rounds run before the measured ones of the ratio and backend drivers, not kept (first-use costs:
    /// allocations, kernel choice).</summary>
    public int WarmupRounds { get; init; }

    /// <summary>Measured steps per fresh process of the peak-memory probes.</summary>
    public int MemoryRepeats { get; init; }

    /// <summary>Fresh processes per step kind of the peak-memory probes (<see cref="Ratios.PeakMemory"/>: the peak
    /// moves between processes far more than between the steps of one).</summary>
    public int MemoryProcesses { get; init; } = 1;

    /// <summary>Batch size of the Decoy MNIST CNN in the backend comparison (the experiment trains with 64).</summary>
    public int DecoyCnnBatch { get; init; }

    /// <summary>Steps of the Decoy MNIST CNN per timing in the backend comparison: one step takes milliseconds, too
    /// short alone for the clock and the system-time counter.</summary>
    public int DecoyCnnStepsPerTiming { get; init; }

    /// <summary>The profile called <paramref name="name"/>.</summary>
    public static BenchmarkProfile Named(string name) => name switch
    {
        "short" => Short,
        "medium" => Medium,
        "full" => Full,
        _ => throw new ArgumentException($"Unknown configuration '{name}': short, medium or full.", nameof(name)),
    };
}
