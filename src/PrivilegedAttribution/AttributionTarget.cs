namespace PrivilegedAttribution;

/// <summary>Which score S = Σ_b s_b is differentiated to obtain the attribution.</summary>
public enum AttributionTarget
{
    /// <summary>s_b = logits[b, target_b] (default).</summary>
    TrueClass,

    /// <summary>s_b = the largest logit of sample b.</summary>
    PredictedClass,

    /// <summary>s_b = Σ_k logits[b, k].</summary>
    SumOfLogits,

    /// <summary>s_b = Σ_k log_softmax(logits)[b, k], the score of Right-for-the-Right-Reasons (Ross et al. 2017).
    /// </summary>
    SumOfLogProbabilities,
}
