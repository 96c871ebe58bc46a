namespace PrivilegedAttribution.Landmarks.Datasets;

/// <summary>A loaded dataset: its good records, the bad ones reported, and its classes.</summary>
public sealed class FaceDataset
{
    /// <summary>Creates a dataset.</summary>
    public FaceDataset(string root, IReadOnlyList<string> classNames, IReadOnlyList<FaceRecord> records,
        IReadOnlyList<DatasetProblem> problems, int excluded = 0)
    {
        Root = root;
        ClassNames = classNames;
        Records = records;
        Problems = problems;
        Excluded = excluded;
    }

    /// <summary>The dataset's folder (where <see cref="LandmarkCache"/> keeps predicted landmarks).</summary>
    public string Root { get; }

    /// <summary>Class names by label index.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The good records.</summary>
    public IReadOnlyList<FaceRecord> Records { get; }

    /// <summary>Bad records, skipped (empty unless the policy was <see cref="BadRecordPolicy.Skip"/>).</summary>
    public IReadOnlyList<DatasetProblem> Problems { get; }

    /// <summary>Valid records left out by design, e.g. AffectNet's "None", "Uncertain" and "No-Face" labels, or
    /// "Contempt" with 7 classes.</summary>
    public int Excluded { get; }

    /// <summary>Records per class.</summary>
    public int[] ClassCounts()
    {
        var counts = new int[ClassNames.Count];
        foreach (var record in Records)
        {
            counts[record.Label]++;
        }

        return counts;
    }

    /// <summary>A copy with other records (same classes and problems).</summary>
    public FaceDataset WithRecords(IReadOnlyList<FaceRecord> records,
        IEnumerable<DatasetProblem>? moreProblems = null) =>
        new(Root, ClassNames, records, Problems.Concat(moreProblems ?? []).ToArray(), Excluded);

    /// <summary>A one-line summary: records, classes, bad and excluded records.</summary>
    public override string ToString() =>
        $"{Records.Count} faces in {ClassNames.Count} classes " +
        $"({string.Join(", ", ClassNames.Zip(ClassCounts(), (n, c) => $"{n} {c}"))}); " +
        $"{Problems.Count} bad record(s) skipped, {Excluded} excluded";
}
