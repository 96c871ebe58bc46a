namespace PrivilegedAttribution.Landmarks.Benchmarks.VersusDlib;

/// <summary>
/// The settings of <c>versus-dlib</c>, as <see cref="VersusDlibCommand"/> reads them from the command line.
/// </summary>
/// <param name="Faces">The face fixture folder (default artifacts/face-fixture).</param>
/// <param name="Model">The model file (default <see cref="ShapePredictor.ResolveModelPath"/>, the tests' model).
/// </param>
/// <param name="Tools">dlib's timing programs (default <see cref="DlibTool.Default"/>).</param>
/// <param name="Repeats">Timed passes over the faces, and timed batches, per round (default 20).</param>
/// <param name="Rounds">Rounds, each running every predictor once, the order reversed every other round (default 3).
/// </param>
/// <param name="BatchSize">Faces per batch (default 256).</param>
/// <param name="Threads">Threads of a batch (default all cores).</param>
/// <param name="Loads">Model loads per round (default 3).</param>
/// <param name="Output">A file for the Markdown report, or null.</param>
public sealed record VersusDlibOptions(
    string Faces,
    string Model,
    IReadOnlyList<DlibTool> Tools,
    int Repeats,
    int Rounds,
    int BatchSize,
    int Threads,
    int Loads,
    string? Output);
