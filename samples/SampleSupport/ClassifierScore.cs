using TorchSharp;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Samples;

/// <summary>A classifier's top-1 accuracy and mean cross-entropy on a data set, in eval mode and without gradients.
/// </summary>
/// <param name="Accuracy">% of the images classified correctly.</param>
/// <param name="CrossEntropy">Mean cross-entropy of the true class.</param>
public sealed record ClassifierScore(double Accuracy, double CrossEntropy)
{
    /// <summary>Scores <paramref name="model"/> on <paramref name="data"/>, read <paramref name="batchSize"/> at a
    /// time.</summary>
    public static ClassifierScore Measure(nn.Module<Tensor, Tensor> model, ILandmarkedImages data, int batchSize = 100)
    {
        model.eval();
        using var noGrad = no_grad();
        long correct = 0;
        double loss = 0;
        foreach (var index in MiniBatches.InOrder(data.Count, batchSize))
        {
            using var scope = NewDisposeScope();
            var (images, labels, _, _) = data.Batch(index);
            var logits = model.call(images);
            correct += logits.argmax(1).eq(labels).sum().item<long>();
            loss += nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.Sum).item<float>();
        }

        return new ClassifierScore(100.0 * correct / data.Count, loss / data.Count);
    }
}
