namespace PrivilegedAttribution;

/// <summary>How the gradient G = ∂S/∂A and the activation A combine into an attribution.</summary>
public enum AttributionMethod
{
    /// <summary>G ⊙ A (default; the paper's choice).</summary>
    GradientXActivation,

    /// <summary>G alone.</summary>
    Gradient,

    /// <summary>|G| ⊙ A.</summary>
    AbsGradientXActivation,
}
