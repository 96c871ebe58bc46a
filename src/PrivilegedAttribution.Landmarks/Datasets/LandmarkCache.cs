using System.Diagnostics;
using System.Globalization;
using nietras.SeparatedValues;

namespace PrivilegedAttribution.Landmarks.Datasets;

/// <summary>
/// Predicts the landmarks a dataset lacks, once: results go to <see cref="FileName"/> in the dataset's folder
/// (appended as they come, so an interrupted run resumes), keyed by image path and face box, and tagged with the
/// model's <see cref="ShapePredictor.Fingerprint"/> (another model starts a new cache).
/// </summary>
public static class LandmarkCache
{
    /// <summary>The cache file's name in the dataset folder.</summary>
    public const string FileName = "landmarks68.csv";

    private const string HeaderPrefix = "# PrivilegedAttribution.Landmarks cache; model ";

    private static readonly string[] Columns = ["image", "left", "top", "right", "bottom", "landmarks"];

    /// <summary>
    /// Returns the dataset with every record's landmarks: its own, cached ones, or predicted now (and cached).
    /// Images that cannot be decoded, and face boxes that do not fit their image (<see cref="FaceBox.FitsImage"/>),
    /// are bad records, reported with the record's file and line; nothing is predicted or cached for them.
    /// </summary>
    /// <param name="dataset">The loaded dataset.</param>
    /// <param name="predictor">The 68-point predictor.</param>
    /// <param name="decoder">Decodes the images to predict.</param>
    /// <param name="onBadRecord">Skip (report) or fail on unreadable images and boxes that do not fit.</param>
    /// <param name="progress">Receives progress when something is predicted: <c>0/Total</c> first, then growing counts
    /// (every 16 faces), last <c>Total/Total</c>; called on worker threads, one call at a time. Nothing is reported
    /// when every landmark is known or cached. The caller renders it (a progress bar, a log line).</param>
    /// <param name="cachePath">The cache file; <see cref="FileName"/> in the dataset folder when null.</param>
    /// <param name="maxDegreeOfParallelism">Threads; -1 for all cores.</param>
    public static FaceDataset Complete(FaceDataset dataset, ShapePredictor predictor, IGrayImageDecoder decoder,
        BadRecordPolicy onBadRecord = BadRecordPolicy.Skip, IProgress<LandmarkProgress>? progress = null,
        string? cachePath = null, int maxDegreeOfParallelism = -1)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(predictor);
        ArgumentNullException.ThrowIfNull(decoder);
        if (predictor.PartCount != 68)
        {
            throw new ArgumentException($"A 68-point model is needed; this one has {predictor.PartCount} points.",
                nameof(predictor));
        }

        cachePath ??= Path.Combine(dataset.Root, FileName);
        var cached = Read(cachePath, predictor.Fingerprint, dataset.Root);
        var records = dataset.Records.ToArray();
        var missing = new List<int>();
        for (var i = 0; i < records.Length; i++)
        {
            if (records[i].Landmarks is not null)
            {
                continue;
            }

            var imagePath = records[i].ImagePath;
            if (records[i].Box is { } box && cached.TryGetValue(Key(dataset.Root, imagePath, box), out var points))
            {
                records[i] = records[i] with { Landmarks = points };
            }
            else if (records[i].Box is null && cached.TryGetValue(AlignedKey(dataset.Root, imagePath), out points))
            {
                records[i] = records[i] with { Landmarks = points };
            }
            else
            {
                missing.Add(i);
            }
        }

        var problems = new DatasetProblem?[records.Length];
        if (missing.Count > 0)
        {
            // A damaged cache (a record cut by an interrupted run) is written anew with its good entries: appended
            // after a cut line, new entries would join it, or vanish inside a quote it left open.
            var fresh = !File.Exists(cachePath) || cached.Fingerprint != predictor.Fingerprint || cached.Damaged;
            using var writer = new StreamWriter(cachePath, append: !fresh);
            using var csv = Sep.New(',').Writer(o => o with { WriteHeader = false, Escape = true })
                .To(writer, leaveOpen: true);
            if (fresh)
            {
                // The header is written now, not with the first row: a run that predicts nothing still leaves a
                // file whose first record after the model line is the header.
                writer.WriteLine(HeaderPrefix + predictor.Fingerprint);
                writer.WriteLine(string.Join(',', Columns));
                foreach (var entry in cached.Rows)
                {
                    Write(csv, entry);
                }
            }

            var gate = new object();
            var done = 0;
            var clock = Stopwatch.StartNew();
            progress?.Report(new LandmarkProgress(0, missing.Count, TimeSpan.Zero));
            Parallel.ForEach(missing, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, i =>
            {
                var record = records[i];
                string[]? entry = null;
                if (DatasetBuilder.TryDecode(decoder, record, out problems[i]) is { } image)
                {
                    var box = record.Box ?? FaceBox.ForAlignedCrop(image.Width, image.Height);
                    if (!box.FitsImage(image.Width, image.Height, out var reason))
                    {
                        problems[i] = DatasetBuilder.BoxDoesNotFit(record, reason);
                    }
                    else
                    {
                        var points = predictor.Predict(image, box).ToInterleaved();
                        records[i] = record with { Landmarks = points };
                        entry =
                        [
                            Relative(dataset.Root, record.ImagePath),
                            record.Box is null ? "aligned" : box.Left.ToString(CultureInfo.InvariantCulture),
                            box.Top.ToString(CultureInfo.InvariantCulture),
                            box.Right.ToString(CultureInfo.InvariantCulture),
                            box.Bottom.ToString(CultureInfo.InvariantCulture), PointList.Format(points),
                        ];
                    }
                }

                lock (gate)
                {
                    if (entry is not null)
                    {
                        Write(csv, entry);
                    }

                    done++;
                    if (progress is not null && (done == missing.Count || done % 16 == 0))
                    {
                        progress.Report(new LandmarkProgress(done, missing.Count, clock.Elapsed));
                    }
                }
            });
        }

        var bad = problems.OfType<DatasetProblem>().ToArray();
        if (bad.Length > 0 && onBadRecord == BadRecordPolicy.Fail)
        {
            throw new DatasetException(bad);
        }

        return dataset.WithRecords(records.Where((_, i) => problems[i] is null).ToArray(), bad);
    }

    private static string Relative(string root, string path) =>
        Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');

    private static string Key(string root, string imagePath, FaceBox box) =>
        $"{Relative(root, imagePath)}|{box.Left}|{box.Top}|{box.Right}|{box.Bottom}";

    private static string AlignedKey(string root, string imagePath) => $"{Relative(root, imagePath)}|aligned";

    private static void Write(SepWriter csv, string[] entry)
    {
        using var row = csv.NewRow();
        for (var column = 0; column < Columns.Length; column++)
        {
            row[Columns[column]].Set(entry[column]);
        }
    }

    private sealed class CacheEntries : Dictionary<string, float[]>
    {
        public string? Fingerprint { get; init; }

        /// <summary>The good entries' fields, in file order, to write back when the file is damaged.</summary>
        public List<string[]> Rows { get; } = [];

        /// <summary>Some record could not be used, or the file ends in the middle of a line.</summary>
        public bool Damaged { get; set; }
    }

    /// <summary>The cached entries made with this model; entries of another model or malformed records (e.g. a
    /// line cut by an interrupted run) are ignored and predicted again, and a file whose column line is not
    /// <see cref="Columns"/> is damaged as a whole (written anew).</summary>
    private static CacheEntries Read(string cachePath, string fingerprint, string root)
    {
        if (!File.Exists(cachePath))
        {
            return new CacheEntries();
        }

        var reader = new StreamReader(cachePath);
        var first = reader.ReadLine() ?? "";
        var fileFingerprint =
            first.StartsWith(HeaderPrefix, StringComparison.Ordinal) ? first[HeaderPrefix.Length..] : "";
        var entries = new CacheEntries { Fingerprint = fileFingerprint };
        if (fileFingerprint != fingerprint)
        {
            reader.Dispose();
            return entries;
        }

        try
        {
            using var table = CsvTable.Open(cachePath, reader);
            if (!table.Header.SequenceEqual(Columns))
            {
                // Not the header this class writes: its records cannot be trusted, and a quote it left open would
                // swallow every entry appended after it.
                entries.Damaged = true;
                return entries;
            }

            foreach (var (_, fields) in table.Records())
            {
                var points = fields.Length == Columns.Length ? PointList.Parse(fields[5]) : null;
                if (points is not { Length: 136 })
                {
                    entries.Damaged = true;
                    continue;
                }

                var key = fields[1] == "aligned"
                    ? $"{fields[0]}|aligned"
                    : $"{fields[0]}|{fields[1]}|{fields[2]}|{fields[3]}|{fields[4]}";
                entries[key] = points;
                entries.Rows.Add(fields);
            }
        }
        catch (InvalidDataException)
        {
            // A quote left open by a cut line swallows the rest of the file: what was read before it is kept.
            entries.Damaged = true;
        }

        entries.Damaged |= !EndsWithLineBreak(cachePath);
        return entries;
    }

    private static bool EndsWithLineBreak(string path)
    {
        using var stream = File.OpenRead(path);
        if (stream.Length == 0)
        {
            return true;
        }

        stream.Seek(-1, SeekOrigin.End);
        return stream.ReadByte() == '\n';
    }
}
