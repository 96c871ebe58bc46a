using TorchSharp;
using static TorchSharp.torch;

/// <summary>The training criterion of (logits (B,K), labels (B)) → scalar: cross-entropy with optional class weights
/// and label smoothing, as PyTorch's <c>nn.CrossEntropyLoss(weight, label_smoothing)</c> (TorchSharp's module has no
/// label smoothing; its functional form has).</summary>
internal sealed class CrossEntropyCriterion : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Tensor? _classWeights;
    private readonly double _labelSmoothing;

    /// <param name="classWeights">(K) weight of each class on the logits' device, or null for all 1.</param>
    /// <param name="labelSmoothing">ε in [0, 1): the target is (1 − ε)·one-hot + ε/K.</param>
    public CrossEntropyCriterion(Tensor? classWeights, double labelSmoothing) : base(nameof(CrossEntropyCriterion))
    {
        if (!(labelSmoothing >= 0 && labelSmoothing < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing,
                $"--label-smoothing must lie in [0, 1); got {labelSmoothing}.");
        }

        (_classWeights, _labelSmoothing) = (classWeights, labelSmoothing);
    }

    /// <summary>The batch's mean loss (with class weights, weighted by each sample's class weight).</summary>
    public override Tensor forward(Tensor logits, Tensor labels) =>
        nn.functional.cross_entropy(logits, labels, _classWeights, label_smoothing: _labelSmoothing);
}
