namespace PrivilegedAttribution;

/// <summary>The combinations of attribution method, order and layer that a <see cref="PalObjective"/> refuses
/// because their loss could not train the weights, or would train them on nothing meaningful.</summary>
internal static class AttributionVariantRules
{
    /// <summary>Throws when <paramref name="layer"/> cannot be trained with <paramref name="method"/>.</summary>
    /// <param name="layer">One PAL term.</param>
    /// <param name="method">The objective's attribution method.</param>
    /// <param name="argument">The argument the message blames (the objective's layers).</param>
    internal static void Check(PalLayer layer, AttributionMethod method, string argument)
    {
        PalFunctional.CheckMethod(method, secondOrder: true, nameof(method));
        if (layer.IsInput && method is AttributionMethod.GradCam or AttributionMethod.Activation)
        {
            var why = method == AttributionMethod.GradCam
                ? "Grad-CAM at the input would only weigh the image's colour channels"
                : "the input's activation is the image itself, which carries no weight to train";
            throw new ArgumentException(
                $"{nameof(AttributionMethod)}.{method} cannot attribute at PalLayer.Input: {why}. Tap an " +
                "intermediate layer, or use GradientXActivation or Gradient at the input.", argument);
        }

        if (layer.SecondOrder || method == AttributionMethod.Activation)
        {
            return;
        }

        if (method == AttributionMethod.Gradient)
        {
            throw new ArgumentException(
                $"Layer '{layer.Name}' has SecondOrder = false with {nameof(AttributionMethod)}.Gradient: the " +
                "gradient with its graph removed is a constant, so its PAL term could not reach the weights. " +
                "Keep the second order, or choose a method that also trains through the activation " +
                "(GradientXActivation, GradCam).",
                argument);
        }

        if (layer.IsInput)
        {
            throw new ArgumentException(
                "PalLayer.Input has SecondOrder = false: the input's attribution G ⊙ x then reaches the weights only " +
                "through G, which the first order removes, so its PAL term could not train anything. Keep the second " +
                "order at the input.", argument);
        }
    }
}
