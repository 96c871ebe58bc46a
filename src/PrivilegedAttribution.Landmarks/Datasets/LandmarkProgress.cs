namespace PrivilegedAttribution.Landmarks.Datasets;

/// <summary>
/// Progress of a landmark prediction run, as <see cref="LandmarkCache.Complete"/> reports it through
/// <see cref="IProgress{T}"/>: first <c>Done = 0</c>, then growing values, last <c>Done = Total</c>. Rendering it (a
/// progress bar, a log line) belongs to the caller.
/// </summary>
/// <param name="Done">Faces predicted (or found unreadable) so far; never decreases within a run.</param>
/// <param name="Total">Faces to predict in this run (those neither in the dataset nor in the cache).</param>
/// <param name="Elapsed">Time since the run started.</param>
public readonly record struct LandmarkProgress(int Done, int Total, TimeSpan Elapsed)
{
    /// <summary>The fraction done, from 0 to 1 (1 for an empty run).</summary>
    public double Fraction => Total == 0 ? 1.0 : (double)Done / Total;
}
