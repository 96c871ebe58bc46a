namespace PrivilegedAttribution;

/// <summary>
/// Which facial action units each expression shows (<see cref="Expressions"/>) and where each unit shows on the
/// 68 landmarks (<see cref="Units"/>): the data <see cref="ActionUnitPrior"/> renders. Two published codebooks are
/// built in, <see cref="Emfacs"/> (the default) and <see cref="Belharbi2024"/>; build your own from any table.
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>expression</term><description><see cref="Emfacs"/> · <see cref="Belharbi2024"/></description>
/// </listheader>
/// <item><term>happiness</term><description>6, 12 · 6, 12, 25</description></item>
/// <item><term>sadness</term><description>1, 4, 15 · 1, 4, 6, 15, 17</description></item>
/// <item><term>surprise</term><description>1, 2, 5, 26 · 1, 2, 5, 26, 27</description></item>
/// <item><term>fear</term><description>1, 2, 4, 5, 7, 20, 26 · 1, 2, 4, 5, 20, 25, 26, 27</description></item>
/// <item><term>anger</term><description>4, 5, 7, 23 · 4, 5, 7, 10, 17, 23, 24, 25, 26</description></item>
/// <item><term>disgust</term><description>9, 15, 16 · 5, 9, 16, 17, 25, 26</description></item>
/// <item><term>contempt</term><description>12, 14 · (none listed)</description></item>
/// <item><term>neutral</term><description>none · none</description></item>
/// </list>
/// An expression with no unit renders an all-zero map, which <see cref="PalFunctional.pal_loss"/> turns into a zero
/// term with zero gradient: such samples train on the criterion alone.
/// </remarks>
/// <example><code>
/// var codebook = new ActionUnitCodebook("happy smiles only",
///     new Dictionary&lt;FacialExpression, IReadOnlyList&lt;int&gt;&gt; { [FacialExpression.Happiness] = [12] });
/// </code></example>
public sealed class ActionUnitCodebook
{
    private readonly Dictionary<FacialExpression, int[]> _expressions;
    private readonly Dictionary<int, ActionUnit> _units;

    /// <summary>A codebook from a table of expressions and unit locations.</summary>
    /// <param name="name">What the codebook is, for messages (e.g. its source).</param>
    /// <param name="expressions">Each expression's FACS unit numbers; an empty list for an expression with none
    /// (neutral). An expression left out cannot be used by a prior's class order.</param>
    /// <param name="units">Where each unit shows; <see cref="ActionUnit.Ibug68"/> when null.</param>
    /// <exception cref="ArgumentException">A unit number without a location or listed twice for one expression, or
    /// two locations for one number.</exception>
    public ActionUnitCodebook(
        string name,
        IReadOnlyDictionary<FacialExpression, IReadOnlyList<int>> expressions,
        IEnumerable<ActionUnit>? units = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(expressions);
        _units = new Dictionary<int, ActionUnit>();
        foreach (var unit in units ?? ActionUnit.Ibug68)
        {
            ArgumentNullException.ThrowIfNull(unit, nameof(units));
            if (!_units.TryAdd(unit.Number, unit))
            {
                throw new ArgumentException($"{nameof(units)} locates AU{unit.Number} twice.", nameof(units));
            }
        }

        _expressions = new Dictionary<FacialExpression, int[]>();
        foreach (var (expression, numbers) in expressions)
        {
            ArgumentNullException.ThrowIfNull(numbers, nameof(expressions));
            foreach (var number in numbers)
            {
                if (!_units.ContainsKey(number))
                {
                    throw new ArgumentException(
                        $"{nameof(expressions)}[{expression}] lists AU{number}, which {nameof(units)} does not " +
                        $"locate (located: {string.Join(", ", _units.Keys.Order().Select(n => $"AU{n}"))}).",
                        nameof(expressions));
                }
            }

            if (numbers.Distinct().Count() != numbers.Count)
            {
                throw new ArgumentException(
                    $"{nameof(expressions)}[{expression}] lists a unit twice ({string.Join(", ", numbers)}).",
                    nameof(expressions));
            }

            _expressions[expression] = numbers.ToArray();
        }

        Name = name;
    }

    /// <summary>
    /// The prototypes of Ekman and Friesen's EMFACS (Emotional FACS; Friesen &amp; Ekman 1983), as the FACS
    /// literature tabulates them: happiness 6+12; sadness 1+4+15; surprise 1+2+5+26; fear 1+2+4+5+7+20+26;
    /// anger 4+5+7+23; disgust 9+15+16; contempt 12+14 (unilateral in EMFACS; the side varies, so both sides are
    /// drawn); neutral none. Locations: <see cref="ActionUnit.Ibug68"/>.
    /// </summary>
    public static ActionUnitCodebook Emfacs { get; } = new("EMFACS (Friesen & Ekman 1983)",
        new Dictionary<FacialExpression, IReadOnlyList<int>>
        {
            [FacialExpression.Happiness] = [6, 12],
            [FacialExpression.Sadness] = [1, 4, 15],
            [FacialExpression.Surprise] = [1, 2, 5, 26],
            [FacialExpression.Fear] = [1, 2, 4, 5, 7, 20, 26],
            [FacialExpression.Anger] = [4, 5, 7, 23],
            [FacialExpression.Disgust] = [9, 15, 16],
            [FacialExpression.Contempt] = [12, 14],
            [FacialExpression.Neutral] = [],
        });

    /// <summary>
    /// The expression-to-unit table of Belharbi et al. 2024 ("Guided Interpretable Facial Expression Recognition
    /// via Spatial Action Unit Cues"; their code's <c>EXP2AU</c>, which cites Martinez, Valstar, Jiang &amp; Pantic
    /// 2017, "Automatic Analysis of Facial Actions: A Survey"), with their internal unit indices turned into FACS
    /// numbers: happiness 6+12+25; sadness 1+4+6+15+17; surprise 1+2+5+26+27; fear 1+2+4+5+20+25+26+27;
    /// anger 4+5+7+10+17+23+24+25+26; disgust 5+9+16+17+25+26; neutral none. The table has no contempt (the
    /// paper trains on seven classes): a class order with contempt needs another codebook. Locations:
    /// <see cref="ActionUnit.Ibug68"/>, not the paper's ellipses.
    /// </summary>
    public static ActionUnitCodebook Belharbi2024 { get; } = new("Belharbi et al. 2024",
        new Dictionary<FacialExpression, IReadOnlyList<int>>
        {
            [FacialExpression.Happiness] = [6, 12, 25],
            [FacialExpression.Sadness] = [1, 4, 6, 15, 17],
            [FacialExpression.Surprise] = [1, 2, 5, 26, 27],
            [FacialExpression.Fear] = [1, 2, 4, 5, 20, 25, 26, 27],
            [FacialExpression.Anger] = [4, 5, 7, 10, 17, 23, 24, 25, 26],
            [FacialExpression.Disgust] = [5, 9, 16, 17, 25, 26],
            [FacialExpression.Neutral] = [],
        });

    /// <summary>What the codebook is.</summary>
    public string Name { get; }

    /// <summary>Each expression's FACS unit numbers.</summary>
    public IReadOnlyDictionary<FacialExpression, IReadOnlyList<int>> Expressions =>
        _expressions.ToDictionary(p => p.Key, p => (IReadOnlyList<int>)p.Value);

    /// <summary>Where each unit shows, by FACS number.</summary>
    public IReadOnlyDictionary<int, ActionUnit> Units => _units;

    /// <summary>The units <paramref name="expression"/> shows, in the codebook's order.</summary>
    /// <exception cref="ArgumentException">The codebook has no entry for the expression.</exception>
    public IReadOnlyList<ActionUnit> UnitsOf(FacialExpression expression) =>
        _expressions.TryGetValue(expression, out var numbers)
            ? numbers.Select(n => _units[n]).ToArray()
            : throw new ArgumentException(
                $"The codebook '{Name}' has no entry for {expression} (it lists " +
                $"{string.Join(", ", _expressions.Keys)}); use a codebook that does, or build one.",
                nameof(expression));

    /// <inheritdoc />
    public override string ToString() => Name;
}
