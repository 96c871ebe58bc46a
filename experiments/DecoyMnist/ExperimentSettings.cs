namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>Everything a run of the experiment depends on, as given on the command line.</summary>
/// <param name="VariantLambdas">The λ of each first-order variant given on the command line (<c>--pal-first-lambda</c>
/// …); a variant not in it takes PAL's λ.</param>
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
    int Threads,
    IReadOnlyDictionary<TrainingMethod, double>? VariantLambdas = null)
{
    /// <summary>The PAL settings <paramref name="method"/> trains with: PAL's own, or a variant's
    /// (<see cref="PalVariants.SettingsFor"/>) with its λ.</summary>
    public PalSettings PalFor(TrainingMethod method) => method == TrainingMethod.Pal
        ? Pal
        : PalVariants.SettingsFor(method, Pal,
            VariantLambdas?.TryGetValue(method, out var lambda) == true ? lambda : Pal.Lambda);

    /// <summary>The variants among <see cref="Methods"/>, each with its settings in words ("" when there is none),
    /// for reports.</summary>
    public string VariantsDescription => string.Join("; ", Methods.Where(PalVariants.IsVariant).Distinct()
        .Select(m => $"{Experiment.Describe(m)}: {PalFor(m)}"));

    /// <summary>Each variant among <see cref="Methods"/> by name, with its settings in words: what result files
    /// store, so that merged runs can be checked variant by variant.</summary>
    public IReadOnlyDictionary<string, string> VariantSettings => Methods.Where(PalVariants.IsVariant).Distinct()
        .ToDictionary(m => m.ToString(), m => PalFor(m).ToString());

    /// <summary>Why runs that stored <paramref name="stored"/> (<see cref="VariantSettings"/> of the command that
    /// made them) cannot be labelled with these settings, or null when every variant they trained has the settings
    /// this command gives it.</summary>
    public string? VariantMismatch(System.Text.Json.JsonElement stored)
    {
        foreach (var variant in stored.EnumerateObject())
        {
            var expected = Enum.TryParse<TrainingMethod>(variant.Name, out var method) && PalVariants.IsVariant(method)
                ? PalFor(method).ToString()
                : null;
            if (variant.Value.GetString() != expected)
            {
                return $"its runs of {variant.Name} were made with {variant.Value.GetString()}, but this merge would " +
                       $"label them {expected ?? "(not a variant)"} (the variant's λ, or PAL's options)";
            }
        }

        return null;
    }
}
