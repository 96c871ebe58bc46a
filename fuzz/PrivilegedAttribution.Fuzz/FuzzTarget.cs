namespace PrivilegedAttribution.Fuzz;

/// <summary>
/// One reader under fuzzing: it writes the fuzzer's bytes where the public API expects a file (or a folder), calls
/// the API and checks what it returns. An exception the API documents for bad input is an expected outcome; any
/// other exception, a broken invariant of the result, or an allocation beyond <see cref="AllocationBudget"/> is a
/// finding, which reaches the fuzzer as a crash.
/// </summary>
internal abstract class FuzzTarget
{
    /// <summary>The name on the command line and of the seed folder (Corpus/NAME).</summary>
    public abstract string Name { get; }

    /// <summary>What the target reads, for <c>list</c>.</summary>
    public abstract string Description { get; }

    /// <summary>Creates what every input shares (folders, empty image files) in <paramref name="folder"/>, once.
    /// </summary>
    public virtual void Prepare(string folder)
    {
    }

    /// <summary>Runs the public API on <paramref name="input"/>, written into <paramref name="folder"/>; throws
    /// <see cref="FuzzFindingException"/> when a result breaks the API's contract.</summary>
    public abstract void Run(byte[] input, string folder);

    /// <summary>Whether <paramref name="exception"/> is one the API documents for bad input.</summary>
    public abstract bool IsExpected(Exception exception);

    /// <summary>The most bytes of managed memory one input of <paramref name="inputLength"/> bytes may allocate:
    /// a reader's allocation is bounded by the size of what it reads, never by the counts a header claims.</summary>
    public virtual long AllocationBudget(int inputLength) => (16L << 20) + 256L * inputLength;
}
