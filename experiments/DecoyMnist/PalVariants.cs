namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>
/// PAL's first-order relatives (issue 24): each trains with PAL's settings (layer, channel strategy, σ, target,
/// warm-up and decay) and its own λ, changing only what defines it: the order, the attribution method or the
/// comparison with the heatmap.
/// </summary>
public static class PalVariants
{
    /// <summary>The variants, in table order, with their command-line names.</summary>
    public static IReadOnlyList<(TrainingMethod Method, string Name)> All { get; } =
    [
        (TrainingMethod.PalFirstOrder, "pal-first"),
        (TrainingMethod.GradCam, "gradcam"),
        (TrainingMethod.GradCamFirstOrder, "gradcam-first"),
        (TrainingMethod.ActivationPearson, "activation"),
        (TrainingMethod.ActivationCosine, "activation-cosine"),
    ];

    /// <summary>Whether <paramref name="method"/> is one of the variants.</summary>
    public static bool IsVariant(TrainingMethod method) => All.Any(v => v.Method == method);

    /// <summary>The settings <paramref name="method"/> trains with: <paramref name="pal"/>'s, with λ =
    /// <paramref name="lambda"/> and the variant's own order, method or normalisation.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="method"/> is not a variant.</exception>
    public static PalSettings SettingsFor(TrainingMethod method, PalSettings pal, double lambda) => method switch
    {
        TrainingMethod.PalFirstOrder => pal with { Lambda = lambda, SecondOrder = false },
        TrainingMethod.GradCam => pal with { Lambda = lambda, Method = AttributionMethod.GradCam },
        TrainingMethod.GradCamFirstOrder => pal with
        {
            Lambda = lambda,
            Method = AttributionMethod.GradCam,
            SecondOrder = false,
        },
        TrainingMethod.ActivationPearson => pal with
        {
            Lambda = lambda,
            Method = AttributionMethod.Activation,
            Normalization = PalNormalization.Pearson,
        },
        TrainingMethod.ActivationCosine => pal with
        {
            Lambda = lambda,
            Method = AttributionMethod.Activation,
            Normalization = PalNormalization.Cosine,
        },
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "not a PAL variant"),
    };
}
