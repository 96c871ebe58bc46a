namespace PrivilegedAttribution;

/// <summary>
/// Which <see cref="FacialExpression"/> each class label of a dataset stands for: element i of an order is the
/// expression of label i. Datasets disagree (RAF-DB's label 0 is surprise, AffectNet's is neutral), and a prior built
/// with the wrong order trains every sample towards another expression's action units with no error, so
/// <see cref="ActionUnitPrior"/> takes the order explicitly.
/// </summary>
/// <example><code>
/// var classes = ExpressionClassOrder.RafDb;                          // labels 0–6 of RafDbLoader
/// var same = ExpressionClassOrder.FromNames(dataset.ClassNames);     // or from any loaded dataset's names
/// </code></example>
public static class ExpressionClassOrder
{
    private static readonly Dictionary<string, FacialExpression> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Neutral"] = FacialExpression.Neutral,
        ["Happiness"] = FacialExpression.Happiness, ["Happy"] = FacialExpression.Happiness,
        ["Sadness"] = FacialExpression.Sadness, ["Sad"] = FacialExpression.Sadness,
        ["Surprise"] = FacialExpression.Surprise, ["Surprised"] = FacialExpression.Surprise,
        ["Fear"] = FacialExpression.Fear, ["Fearful"] = FacialExpression.Fear,
        ["Disgust"] = FacialExpression.Disgust, ["Disgusted"] = FacialExpression.Disgust,
        ["Anger"] = FacialExpression.Anger, ["Angry"] = FacialExpression.Anger,
        ["Contempt"] = FacialExpression.Contempt,
    };

    /// <summary>RAF-DB's basic set, labels 1–7 of its label file stored as 0–6 (the order of
    /// <c>RafDbLoader.ClassNames</c>): surprise, fear, disgust, happiness, sadness, anger, neutral.</summary>
    public static IReadOnlyList<FacialExpression> RafDb { get; } =
    [
        FacialExpression.Surprise, FacialExpression.Fear, FacialExpression.Disgust, FacialExpression.Happiness,
        FacialExpression.Sadness, FacialExpression.Anger, FacialExpression.Neutral,
    ];

    /// <summary>AffectNet's expressions 0–7 (the order of <c>AffectNetLoader.ClassNames</c>): neutral, happy, sad,
    /// surprise, fear, disgust, anger, contempt.</summary>
    public static IReadOnlyList<FacialExpression> AffectNet { get; } =
    [
        FacialExpression.Neutral, FacialExpression.Happiness, FacialExpression.Sadness, FacialExpression.Surprise,
        FacialExpression.Fear, FacialExpression.Disgust, FacialExpression.Anger, FacialExpression.Contempt,
    ];

    /// <summary>AffectNet without contempt (<c>AffectNetLoader.Load(…, classCount: 7)</c>, as most papers report):
    /// expressions 0–6.</summary>
    public static IReadOnlyList<FacialExpression> AffectNet7 { get; } = AffectNet.Take(7).ToArray();

    /// <summary>The order of a dataset's class names, e.g. a loaded dataset's <c>ClassNames</c>. Names are matched
    /// without regard to case, with the adjective forms too ("Happy", "Sad", "Angry", "Surprised", "Fearful",
    /// "Disgusted").</summary>
    /// <param name="classNames">The name of each label, in label order.</param>
    /// <exception cref="ArgumentException">A name is not an expression, or two labels name the same one.</exception>
    public static IReadOnlyList<FacialExpression> FromNames(IEnumerable<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        var result = new List<FacialExpression>();
        foreach (var name in classNames)
        {
            if (name is null || !Names.TryGetValue(name.Trim(), out var expression))
            {
                throw new ArgumentException(
                    $"{nameof(classNames)}[{result.Count}] is '{name}', which is not an expression; expected one of " +
                    $"{string.Join(", ", Names.Keys)}.", nameof(classNames));
            }

            result.Add(expression);
        }

        Check(result, nameof(classNames));
        return result;
    }

    /// <summary>Fails unless <paramref name="classes"/> is a non-empty list of distinct, defined expressions.
    /// </summary>
    internal static void Check(IReadOnlyList<FacialExpression> classes, string argumentName)
    {
        if (classes.Count == 0)
        {
            throw new ArgumentException($"{argumentName} is empty: it must name the expression of every label.",
                argumentName);
        }

        for (var i = 0; i < classes.Count; i++)
        {
            if (!Enum.IsDefined(classes[i]))
            {
                throw new ArgumentException($"{argumentName}[{i}] is {(int)classes[i]}, not a FacialExpression.",
                    argumentName);
            }

            var first = IndexOf(classes, classes[i]);
            if (first != i)
            {
                throw new ArgumentException(
                    $"{argumentName} names {classes[i]} twice (labels {first} and {i}): each label must be its own " +
                    "expression.", argumentName);
            }
        }
    }

    private static int IndexOf(IReadOnlyList<FacialExpression> classes, FacialExpression expression)
    {
        for (var i = 0; i < classes.Count; i++)
        {
            if (classes[i] == expression)
            {
                return i;
            }
        }

        return -1;
    }
}
