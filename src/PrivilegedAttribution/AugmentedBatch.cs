namespace PrivilegedAttribution;

/// <summary>
/// A batch after <see cref="LandmarkAugmentation"/>: the images and their privileged information, transformed by
/// the same draw so that they cannot drift apart. The tensors belong to the caller's dispose scope.
/// </summary>
/// <param name="Images">(B,C,H,W) augmented images, in the input's dtype and device.</param>
/// <param name="Landmarks">(B,K,2) landmarks as (x, y) in output pixels (pixel centres are integers), reindexed
/// by the mirror permutation where a sample was flipped. Points moved off the image keep their coordinates and
/// are marked invisible.</param>
/// <param name="Visible">(B,K) bool: the input visibility, false where a point left the image
/// (x ∉ [−½, W − ½] or y ∉ [−½, H − ½]) or, if asked, lies under an erased patch.</param>
/// <param name="Mask">(B,1,H,W) the warped mask prior, or null when none was given.</param>
/// <param name="Transform">(B,2,3) each sample's forward map [A | t] from input to output pixels,
/// p_out = A·p_in + t (det A &lt; 0 where the sample was flipped): what maps predictions back, or undoes the warp
/// through <see cref="LandmarkAugmentation.Warp"/> with its inverse.</param>
public sealed record AugmentedBatch(Tensor Images, Tensor Landmarks, Tensor Visible, Tensor? Mask, Tensor Transform);
