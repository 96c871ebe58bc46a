namespace PrivilegedAttribution;

/// <summary>One candidate λ of <see cref="PalStrength.Choose"/>, scored on the validation examples.</summary>
/// <param name="Lambda">The candidate λ (0: plain training).</param>
/// <param name="Accuracy">Its share of validation examples classified correctly, in [0, 1].</param>
/// <param name="DifferenceToPlain">Its accuracy minus the plain model's on the same examples (0 for λ = 0).</param>
/// <param name="StandardError">The standard error of that paired difference.</param>
/// <param name="Examples">The number of validation examples.</param>
/// <param name="BeatsPlain">Whether its advantage exceeds the margin (never for λ = 0): the candidates
/// <see cref="PalStrength.Choose"/> chooses the most accurate of.</param>
public sealed record PalStrengthCandidate(
    double Lambda,
    double Accuracy,
    double DifferenceToPlain,
    double StandardError,
    int Examples,
    bool BeatsPlain);
