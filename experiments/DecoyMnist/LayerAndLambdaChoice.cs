using static TorchSharp.torch;

namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>
/// PAL's λ and layer chosen together on validation data: one <see cref="PalStrength.Choose"/> per layer, each
/// comparing that layer's λ candidates with the same plain model, then the most accurate of the layers' choices (the
/// earlier layer on a tie). That is the most accurate (layer, λ) model that beats plain training by the margin, or
/// plain training when none does.
/// </summary>
public static class LayerAndLambdaChoice
{
    /// <summary>Chooses among every (layer, λ) of <paramref name="layers"/> × <paramref name="lambdas"/>.</summary>
    /// <param name="layers">The layers in order of preference (null: PAL's own layer).</param>
    /// <param name="lambdas">The λ candidates, 0 (plain training) among them.</param>
    /// <param name="correctOnValidation">Which validation examples the model of (layer, λ) gets right; called for
    /// λ = 0 once per layer (the caller returns the same plain model's flags each time).</param>
    /// <param name="margin">Standard errors a PAL model must beat plain training by.</param>
    /// <returns>The chosen layer and λ; (null, 0) when plain training is chosen.</returns>
    public static (string? Layer, double Lambda) Choose(IReadOnlyList<string?> layers, IReadOnlyList<double> lambdas,
        Func<string?, double, Tensor> correctOnValidation, double margin)
    {
        var choices = layers.Select(layer =>
            (Layer: layer, Choice: PalStrength.Choose(lambdas, lambda => correctOnValidation(layer, lambda), margin)))
            .ToList();
        return choices.Select((c, order) => (c.Layer, c.Choice.Lambda, Order: order,
                Accuracy: c.Choice.Candidates.Single(k => k.Lambda == c.Choice.Lambda).Accuracy))
            .Where(c => c.Lambda > 0)
            .OrderByDescending(c => c.Accuracy).ThenBy(c => c.Order)
            .Select(c => (c.Layer, c.Lambda))
            .DefaultIfEmpty((null, 0))
            .First();
    }
}
