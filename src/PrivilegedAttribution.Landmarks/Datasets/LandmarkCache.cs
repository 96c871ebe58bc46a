using System.Diagnostics;
using System.Globalization;

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

            if (records[i].Box is { } box && cached.TryGetValue(Key(dataset.Root, records[i].ImagePath, box), out var points))
            {
                records[i] = records[i] with { Landmarks = points };
            }
            else if (records[i].Box is null && cached.TryGetValue(AlignedKey(dataset.Root, records[i].ImagePath), out points))
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
            var fresh = !File.Exists(cachePath) || cached.Fingerprint != predictor.Fingerprint;
            using var writer = new StreamWriter(cachePath, append: !fresh);
            if (fresh)
            {
                writer.WriteLine(HeaderPrefix + predictor.Fingerprint);
                writer.WriteLine("image,left,top,right,bottom,landmarks");
            }

            var gate = new object();
            var done = 0;
            var clock = Stopwatch.StartNew();
            progress?.Report(new LandmarkProgress(0, missing.Count, TimeSpan.Zero));
            Parallel.ForEach(missing, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, i =>
            {
                var record = records[i];
                string? line = null;
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
                        line = string.Join(',', Quote(Relative(dataset.Root, record.ImagePath)),
                            record.Box is null ? "aligned" : box.Left.ToString(CultureInfo.InvariantCulture),
                            box.Top.ToString(CultureInfo.InvariantCulture),
                            box.Right.ToString(CultureInfo.InvariantCulture),
                            box.Bottom.ToString(CultureInfo.InvariantCulture), Csv.FormatPoints(points));
                    }
                }

                lock (gate)
                {
                    if (line is not null)
                    {
                        writer.WriteLine(line);
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

    private static string Quote(string field) =>
        field.Contains(',') || field.Contains('"') ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;

    private sealed class CacheEntries : Dictionary<string, float[]>
    {
        public string? Fingerprint { get; init; }
    }

    /// <summary>The cached entries made with this model; entries of another model or malformed lines (e.g. a
    /// line cut by an interrupted run) are ignored and predicted again.</summary>
    private static CacheEntries Read(string cachePath, string fingerprint, string root)
    {
        if (!File.Exists(cachePath))
        {
            return new CacheEntries();
        }

        using var reader = new StreamReader(cachePath);
        var first = reader.ReadLine() ?? "";
        var fileFingerprint = first.StartsWith(HeaderPrefix, StringComparison.Ordinal) ? first[HeaderPrefix.Length..] : "";
        var entries = new CacheEntries { Fingerprint = fileFingerprint };
        if (fileFingerprint != fingerprint)
        {
            return entries;
        }

        while (reader.ReadLine() is { } line)
        {
            var fields = Csv.Split(line);
            if (fields is not { Length: 6 } || fields[0] == "image")
            {
                continue;
            }

            var points = Csv.ParsePoints(fields[5]);
            if (points is not { Length: 136 })
            {
                continue;
            }

            var key = fields[1] == "aligned"
                ? $"{fields[0]}|aligned"
                : $"{fields[0]}|{fields[1]}|{fields[2]}|{fields[3]}|{fields[4]}";
            entries[key] = points;
        }

        return entries;
    }
}
