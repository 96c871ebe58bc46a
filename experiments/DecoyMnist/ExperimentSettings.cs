namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>Everything a run of the experiment depends on, as given on the command line.</summary>
public sealed record ExperimentSettings(
    string MnistFolder,
    string? IdxFolder,
    int MaxImages,
    int? TrainLimit,
    IReadOnlyList<DecoyProtocol> Protocols,
    IReadOnlyList<TrainingMethod> Methods,
    IReadOnlyList<int> Seeds,
    TrainingSettings Training,
    PalSettings Pal,
    RightReasonsSettings RightReasons,
    string OutputFolder,
    int Threads);
