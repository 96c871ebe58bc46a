namespace PrivilegedAttribution.Landmarks.Datasets;

/// <summary>Options common to the dataset loaders.</summary>
public sealed record DatasetLoadOptions
{
    /// <summary>Skip bad records (the default; each is reported in <see cref="FaceDataset.Problems"/>) or fail on
    /// them with a <see cref="DatasetException"/> that lists them all.</summary>
    public BadRecordPolicy OnBadRecord { get; init; } = BadRecordPolicy.Skip;

    /// <summary>When set, every image is decoded once while loading, so that unreadable images, and face boxes that
    /// do not fit their image (<see cref="FaceBox.FitsImage"/>), are reported now rather than during training.
    /// Images whose landmarks are predicted are always decoded (by <see cref="LandmarkCache"/>), so this matters
    /// for datasets that ship landmarks.</summary>
    public IGrayImageDecoder? VerifyImagesWith { get; init; }
}

/// <summary>Collects a loader's records and problems and applies the bad-record policy.</summary>
internal sealed class DatasetBuilder
{
    private readonly DatasetLoadOptions _options;
    private readonly List<FaceRecord> _records = [];
    private readonly List<DatasetProblem> _problems = [];

    public DatasetBuilder(DatasetLoadOptions? options) => _options = options ?? new DatasetLoadOptions();

    public int Excluded { get; set; }

    public void Problem(string file, int line, DatasetProblemKind kind, string message) =>
        _problems.Add(new DatasetProblem(file, line, kind, message));

    /// <summary>Whether <paramref name="text"/>, a record's image path, can name a file; a NUL character, which no
    /// file system allows in a name, makes a <see cref="DatasetProblemKind.MalformedLine"/> instead (and would make
    /// path APIs throw).</summary>
    public bool IsImagePath(string text, string column, string file, int line)
    {
        if (!text.Contains('\0', StringComparison.Ordinal))
        {
            return true;
        }

        Problem(file, line, DatasetProblemKind.MalformedLine,
            $"{column} '{text.Replace('\0', '\uFFFD')}' holds a NUL character (shown as \uFFFD), which no file name " +
            "can hold");
        return false;
    }

    /// <summary>Adds the record if its image exists; reports it otherwise.</summary>
    public void Add(FaceRecord record, string file, int line)
    {
        if (!File.Exists(record.ImagePath))
        {
            Problem(file, line, DatasetProblemKind.MissingImage, $"image '{record.ImagePath}' does not exist");
            return;
        }

        _records.Add(record);
    }

    public FaceDataset Build(string root, IReadOnlyList<string> classNames)
    {
        var records = _records;
        if (_options.VerifyImagesWith is { } decoder)
        {
            var bad = new DatasetProblem?[records.Count];
            Parallel.For(0, records.Count, i =>
            {
                if (TryDecode(decoder, records[i], out var problem) is { } image &&
                    records[i].Box is { } box && !box.FitsImage(image.Width, image.Height, out var reason))
                {
                    problem = BoxDoesNotFit(records[i], reason);
                }

                bad[i] = problem;
            });
            _problems.AddRange(bad.OfType<DatasetProblem>());
            records = records.Where((_, i) => bad[i] is null).ToList();
        }

        var problems = _problems.OrderBy(p => p.File, StringComparer.Ordinal).ThenBy(p => p.Line).ToArray();
        if (problems.Length > 0 && _options.OnBadRecord == BadRecordPolicy.Fail)
        {
            throw new DatasetException(problems);
        }

        return new FaceDataset(root, classNames, records, problems, Excluded);
    }

    /// <summary>The record's image, or null and an <see cref="DatasetProblemKind.UnreadableImage"/> problem naming
    /// it.</summary>
    public static GrayImage? TryDecode(IGrayImageDecoder decoder, FaceRecord record, out DatasetProblem? problem)
    {
        try
        {
            problem = null;
            return decoder.Decode(record.ImagePath);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            problem = new DatasetProblem(record.Source, record.Line, DatasetProblemKind.UnreadableImage,
                $"image '{record.ImagePath}' cannot be decoded: {e.Message}");
            return null;
        }
    }

    /// <summary>The problem of a record whose box does not fit its image, for <paramref name="reason"/> from
    /// <see cref="FaceBox.FitsImage"/>.</summary>
    public static DatasetProblem BoxDoesNotFit(FaceRecord record, string reason) =>
        new(record.Source, record.Line, DatasetProblemKind.InvalidFaceBox, $"image '{record.ImagePath}': {reason}");
}
