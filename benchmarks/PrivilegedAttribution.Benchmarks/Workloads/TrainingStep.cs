namespace PrivilegedAttribution.Benchmarks.Workloads;

/// <summary>The kinds of training step that are timed against each other.</summary>
public enum TrainingStep
{
    /// <summary>Cross-entropy only: forward, backward, optimiser step. The reference every ratio divides by.</summary>
    Plain,

    /// <summary>PAL written out with the functional forms, as a user would without <see cref="PalObjective"/>:
    /// a cloning <see cref="LayerTap"/>, <c>attribution_map</c> (autograd, create_graph), <c>landmark_heatmap</c>,
    /// <c>pal_loss</c>. This is the straightforward path that every fast path is measured (and tested) against.
    /// </summary>
    PalStraightforward,

    /// <summary>The package's one-call <see cref="PalObjective"/> with its defaults (cloning tap, autograd).</summary>
    PalObjective,

    /// <summary><see cref="PalObjective"/> whose tap hands the model the layer's own output instead of a copy
    /// (valid when nothing downstream modifies it in place): measures what the defensive clone costs.</summary>
    PalObjectiveNoClone,

    /// <summary><see cref="Plain"/> on the batch laid out channels-last (<see cref="ChannelsLast.Of"/>): the whole
    /// network then runs NHWC, which oneDNN's convolutions take without reordering.</summary>
    PlainChannelsLast,

    /// <summary><see cref="PalObjective"/> on the batch laid out channels-last.</summary>
    PalObjectiveChannelsLast,

    /// <summary><see cref="PalObjective"/> with a <see cref="GlobalPoolLinearHead"/>: the attribution in closed form,
    /// no double backward. Only for a layer that reaches the logits through pooling and the linear layer alone.
    /// </summary>
    PalClosedForm,

    /// <summary><see cref="PalObjective"/> with the gradient factor detached (<see cref="PalLayer.SecondOrder"/> =
    /// false): G computed without create_graph, no double backward.</summary>
    PalFirstOrder,

    /// <summary><see cref="PalObjective"/> with <see cref="AttributionMethod.GradCam"/> maps, second order.</summary>
    GradCam,

    /// <summary><see cref="PalObjective"/> with <see cref="AttributionMethod.GradCam"/> maps, first order (G without
    /// create_graph, as the XIL typology's Grad-CAM losses compute it).</summary>
    GradCamFirstOrder,

    /// <summary><see cref="PalObjective"/> aligning the channel-mean activation itself
    /// (<see cref="AttributionMethod.Activation"/>, no gradient call) with the heatmap by Pearson correlation.
    /// </summary>
    ActivationPearson,

    /// <summary><see cref="ActivationPearson"/> with <see cref="PalNormalization.Cosine"/> (Belharbi et al. 2024).
    /// </summary>
    ActivationCosine,
}
