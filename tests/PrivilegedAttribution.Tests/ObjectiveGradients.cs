using TorchSharp;
using static TorchSharp.torch;
using static PrivilegedAttribution.Tests.Numerics;

namespace PrivilegedAttribution.Tests;

/// <summary>float64 central differences of a <see cref="PalObjective"/>'s total against its analytic gradient, for
/// every parameter of a model (the second-order path through G included).</summary>
internal static class ObjectiveGradients
{
    internal static double RelativeErrorOfEveryParameter(PalObjective objective, nn.Module model, Tensor x,
        Tensor labels, Tensor privileged, int elementsPerParameter = 200)
    {
        var parameters = model.named_parameters().ToArray();
        double Total()
        {
            using var inner = NewDisposeScope();
            return Scalar(objective.Compute(x, labels, privileged).Total);
        }

        using var scope = NewDisposeScope();
        var total = objective.Compute(x, labels, privileged).Total;
        var analytic = autograd.grad([total], parameters.Select(p => (Tensor)p.parameter).ToList());
        var allAnalytic = new List<double>();
        var allNumeric = new List<double>();
        for (var i = 0; i < parameters.Length; i++)
        {
            var elements = Sample(parameters[i].parameter.numel(), elementsPerParameter, seed: i);
            var numeric = CentralDifferences(Total, parameters[i].parameter, elements);
            var flat = Values(analytic[i]);
            var picked = elements.Select(e => flat[e]).ToArray();
            AssertClose(picked, numeric, 1e-4, 1e-6 * (1 + flat.Max(Math.Abs)), $"d total / d {parameters[i].name}");
            allAnalytic.AddRange(picked);
            allNumeric.AddRange(numeric);
        }

        return RelativeError(allAnalytic.ToArray(), allNumeric.ToArray());
    }
}
