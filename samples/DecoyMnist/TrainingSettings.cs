namespace PrivilegedAttribution.Samples.DecoyMnist;

/// <summary>The optimisation settings shared by every model.</summary>
/// <param name="Epochs">Passes over the training split.</param>
/// <param name="BatchSize">Mini-batch size.</param>
/// <param name="LearningRate">Adam's learning rate.</param>
public sealed record TrainingSettings(int Epochs, int BatchSize, double LearningRate);
