using System.Diagnostics;
using System.Globalization;
using System.Text;
using MathNet.Numerics.Statistics;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Benchmarks.Investigations.Profiling;

/// <summary>
/// The convolution double backward in isolation, on the shape of ResNet-18's <c>layer4</c> 3×3 convolutions
/// (512→512 channels): what PAL at <c>layer3</c> pays for each of them, next to what a plain step pays. It separates
/// the two products of LibTorch's double-backward formula: the output-gradient term (a forward convolution) and the
/// weight-gradient term, which LibTorch computes as a convolution of the transposed tensors (batch and channels
/// swapped, the gradient map as the kernel), against the same weight gradient from the backward-weights kernel that
/// a plain backward uses.
/// </summary>
public static class ConvDoubleBackwardProbe
{
    /// <summary>Markdown table of median ms over <paramref name="repeats"/> runs.</summary>
    public static string Run(int batch, int inputSize, int repeats)
    {
        var spatial = (inputSize + 31) / 32; // layer4's map: the input divided by 32, rounded up
        using var scope = NewDisposeScope();
        manual_seed(3);
        var x = randn(batch, 512, spatial, spatial).requires_grad_();
        var weight = (randn(512, 512, 3, 3) * 0.02).requires_grad_();
        var gy = randn(batch, 512, spatial, spatial).requires_grad_(); // the incoming gradient, itself on a graph
        var v = randn(batch, 512, spatial, spatial); // PAL's gradient with respect to G

        double Time(Action action)
        {
            var times = new double[repeats];
            action(); // warm-up
            for (var i = 0; i < repeats; i++)
            {
                using var inner = NewDisposeScope();
                var clock = Stopwatch.StartNew();
                action();
                times[i] = clock.Elapsed.TotalMilliseconds;
            }

            return Statistics.Median(times);
        }

        var rows = new List<(string, double)>
        {
            ("forward convolution", Time(() => nn.functional.conv2d(x, weight, padding: [1, 1]))),
            ("plain backward: input and weight gradients", Time(() =>
            {
                var y = nn.functional.conv2d(x, weight, padding: [1, 1]);
                autograd.grad([y], [x, weight], [gy]);
            })),
            ("attribution: input gradient with create_graph", Time(() =>
            {
                var y = nn.functional.conv2d(x, weight, padding: [1, 1]);
                autograd.grad([y], [x], [gy], create_graph: true);
            })),
            ("double backward: d<v, G>/d(weight, incoming gradient), LibTorch's formula", Time(() =>
            {
                var y = nn.functional.conv2d(x, weight, padding: [1, 1]);
                var g = autograd.grad([y], [x], [gy], create_graph: true)[0];
                autograd.grad([(g * v).sum()], [weight, gy]);
            })),
            ("  its weight term as LibTorch computes it (transposed convolution)", Time(() =>
                nn.functional.conv2d(v.transpose(0, 1), gy.detach().transpose(0, 1), padding: [1, 1]))),
            ("  the same weight term by the backward-weights kernel (+ a forward)", Time(() =>
            {
                var y = nn.functional.conv2d(v, weight, padding: [1, 1]);
                autograd.grad([y], [weight], [gy.detach()]);
            })),
        };
        var text = new StringBuilder();
        text.AppendLine($"One layer4 convolution (batch {batch}, 512×{spatial}×{spatial} → 512×{spatial}×{spatial}, " +
                        $"3×3), median ms over {repeats} runs (the double-backward row includes the forward and the " +
                        "attribution rows):");
        text.AppendLine();
        text.AppendLine("| Work | ms |");
        text.AppendLine("|---|---|");
        foreach (var (name, ms) in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {ms:F2} |");
        }

        return text.ToString();
    }
}
