using TorchSharp;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Samples;

/// <summary>Top-1 accuracy of a classifier, in eval mode and without gradients.</summary>
public static class ClassifierAccuracy
{
    /// <summary>% of <paramref name="data"/> classified correctly, read <paramref name="batchSize"/> at a time.
    /// </summary>
    public static double Percent(nn.Module<Tensor, Tensor> model, ILandmarkedImages data, int batchSize = 100)
    {
        model.eval();
        using var noGrad = no_grad();
        long correct = 0;
        foreach (var index in MiniBatches.InOrder(data.Count, batchSize))
        {
            using var scope = NewDisposeScope();
            var (images, labels, _, _) = data.Batch(index);
            correct += model.call(images).argmax(1).eq(labels).sum().item<long>();
        }

        return 100.0 * correct / data.Count;
    }
}
