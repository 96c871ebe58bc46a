using TorchSharp;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Samples;

/// <summary>Top-1 accuracy of a classifier, in eval mode and without gradients.</summary>
public static class ClassifierAccuracy
{
    /// <summary>% of <paramref name="images"/> classified as <paramref name="labels"/>.</summary>
    public static double Percent(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, int batchSize = 100)
    {
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long correct = 0;
        for (long start = 0; start < images.shape[0]; start += batchSize)
        {
            var length = Math.Min(batchSize, images.shape[0] - start);
            var predicted = model.call(images.narrow(0, start, length)).argmax(1);
            correct += predicted.eq(labels.narrow(0, start, length)).sum().item<long>();
        }

        return 100.0 * correct / images.shape[0];
    }
}
