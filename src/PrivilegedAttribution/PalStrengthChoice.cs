using System.Globalization;
using System.Text;

namespace PrivilegedAttribution;

/// <summary>What <see cref="PalStrength.Choose"/> chose, and why.</summary>
/// <param name="Lambda">The λ to train with: the most accurate candidate that beats plain training by more than the
/// margin (the smaller λ on a tie), or 0 when none does.</param>
/// <param name="Margin">The margin, in standard errors of the paired difference.</param>
/// <param name="Candidates">Every candidate's validation figures, in ascending order of λ (the first is λ = 0).
/// </param>
public sealed record PalStrengthChoice(double Lambda, double Margin, IReadOnlyList<PalStrengthCandidate> Candidates)
{
    /// <summary>A table of the candidates (accuracy and difference to plain in percentage points) and the choice.
    /// </summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"PAL's λ chosen on {Candidates[0].Examples} validation examples: λ = {Lambda}");
        text.AppendLine("      λ  accuracy   − plain      SE  beats plain by > " +
                        Margin.ToString("0.##", c) + " SE");
        foreach (var candidate in Candidates)
        {
            var verdict = candidate.Lambda == 0 ? "(plain)" : candidate.BeatsPlain ? "yes" : "no";
            text.AppendLine(c, $"{candidate.Lambda,7:0.###}  {100 * candidate.Accuracy,7:F2} %  " +
                               $"{100 * candidate.DifferenceToPlain,7:+0.00;-0.00;0.00}  " +
                               $"{100 * candidate.StandardError,6:F2}  {verdict}");
        }

        return text.ToString();
    }
}
