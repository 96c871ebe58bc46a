namespace PrivilegedAttribution.Landmarks.Datasets;

/// <summary>What is wrong with a bad record.</summary>
public enum DatasetProblemKind
{
    /// <summary>The line cannot be parsed (wrong number of fields, a number that is not one).</summary>
    MalformedLine,

    /// <summary>The image file does not exist.</summary>
    MissingImage,

    /// <summary>The image file exists but cannot be decoded.</summary>
    UnreadableImage,

    /// <summary>A landmark list or annotation file has another number of points than expected.</summary>
    WrongPointCount,

    /// <summary>The label is not one of the dataset's classes.</summary>
    LabelOutOfRange,

    /// <summary>A file the layout requires for this record (e.g. RAF-DB's bounding box) is missing.</summary>
    MissingAnnotation,

    /// <summary>The face box's numbers make no box (not finite, beyond ±<see cref="FaceBox.MaxCoordinate"/>, empty
    /// or inverted), or the box does not fit its image (<see cref="FaceBox.FitsImage"/>).</summary>
    InvalidFaceBox,
}

/// <summary>A bad record: where it is and what is wrong.</summary>
/// <param name="File">The file holding the record (the label list, the CSV or an annotation file).</param>
/// <param name="Line">1-based line in <paramref name="File"/> (0 when the whole file is at fault).</param>
/// <param name="Kind">The kind of problem.</param>
/// <param name="Message">What was found and what was expected.</param>
public sealed record DatasetProblem(string File, int Line, DatasetProblemKind Kind, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{File}:{Line}: {Kind}: {Message}";
}

/// <summary>What a loader does with a bad record: always reported in <see cref="FaceDataset.Problems"/>, then
/// skipped, or the load fails.</summary>
public enum BadRecordPolicy
{
    /// <summary>Skip the record and report it.</summary>
    Skip,

    /// <summary>Throw a <see cref="DatasetException"/> listing every bad record found.</summary>
    Fail,
}

/// <summary>A dataset had bad records and the policy was <see cref="BadRecordPolicy.Fail"/>.</summary>
public sealed class DatasetException : Exception
{
    /// <summary>Creates the exception for <paramref name="problems"/>.</summary>
    public DatasetException(IReadOnlyList<DatasetProblem> problems)
        : base(BuildMessage(problems))
    {
        Problems = problems;
    }

    /// <summary>Every bad record found.</summary>
    public IReadOnlyList<DatasetProblem> Problems { get; }

    private static string BuildMessage(IReadOnlyList<DatasetProblem> problems)
    {
        const int shown = 20;
        var lines = problems.Take(shown).Select(p => "  " + p);
        var more = problems.Count > shown ? $"\n  … and {problems.Count - shown} more" : "";
        return $"{problems.Count} bad record(s):\n{string.Join('\n', lines)}{more}";
    }
}
