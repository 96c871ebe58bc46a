namespace PrivilegedAttribution;

/// <summary>
/// The expression classes of facial-expression datasets: Ekman's six basic emotions, contempt (AffectNet's eighth
/// class) and neutral. A dataset numbers them in its own order: <see cref="ExpressionClassOrder"/> maps its labels
/// to these names, and <see cref="ActionUnitCodebook"/> maps each name to its facial action units.
/// </summary>
public enum FacialExpression
{
    /// <summary>No expression: no action unit.</summary>
    Neutral,

    /// <summary>Happiness (RAF-DB's name; AffectNet's "Happy").</summary>
    Happiness,

    /// <summary>Sadness (AffectNet's "Sad").</summary>
    Sadness,

    /// <summary>Surprise.</summary>
    Surprise,

    /// <summary>Fear.</summary>
    Fear,

    /// <summary>Disgust.</summary>
    Disgust,

    /// <summary>Anger.</summary>
    Anger,

    /// <summary>Contempt (AffectNet's class 7; not in RAF-DB's basic set).</summary>
    Contempt,
}
