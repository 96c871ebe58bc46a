using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace PrivilegedAttribution.Landmarks;

/// <summary>
/// dlib's <c>shape_predictor</c> (Kazemi and Sullivan's ensemble of regression trees) read from dlib's own model
/// file, e.g. <c>shape_predictor_68_face_landmarks.dat</c>, and run in C# with dlib's arithmetic: the points agree
/// with dlib's exactly (see the test suite's reference fixture). Thread-safe: one instance serves any number of
/// threads; <see cref="PredictMany"/> runs a batch in parallel.
/// </summary>
/// <example><code>
/// var predictor = ShapePredictor.Load();                 // Debian's libdlib-data model, or a path
/// var landmarks = predictor.Predict(grayImage, new FaceBox(179, 83, 266, 170));
/// LandmarkPoint noseTip = landmarks[30];
/// </code></example>
public sealed class ShapePredictor
{
    /// <summary>Where Debian and Ubuntu's <c>libdlib-data</c> package installs the 68-point model.</summary>
    public const string DefaultModelPath = "/usr/share/dlib/shape_predictor_68_face_landmarks.dat";

    /// <summary>An environment variable that, when set, names the model file used when no path is given.</summary>
    public const string ModelPathEnvironmentVariable = "PRIVILEGED_ATTRIBUTION_LANDMARK_MODEL";

    /// <summary>
    /// The largest model file read: 1 GiB (the 68-point model has 100 MB). Within it, what the reader allocates is
    /// bounded by the file's size: every count in the file (trees, splits, leaves, points) is checked against the
    /// bytes left before its arrays are allocated, so a corrupt or crafted header that claims 10¹² trees or a
    /// billion points is an <see cref="InvalidDataException"/>, not gigabytes of memory.
    /// </summary>
    public const long MaxModelBytes = 1L << 30;

    private readonly float[] _initialShape;
    private readonly Cascade[] _cascades;
    private readonly int _maxFeatures;
    private readonly Lazy<string> _fingerprint;
    private readonly int _maxTrees;

    // Per-thread scratch of Predict and Run, so that a face allocates only its result (any model: grown as needed,
    // sliced to the model's sizes).
    [ThreadStatic]
    private static int[]? _leafScratch;

    [ThreadStatic]
    private static float[]? _shapeScratch;

    [ThreadStatic]
    private static float[]? _featureScratch;

    private ShapePredictor(float[] initialShape, Cascade[] cascades)
    {
        _initialShape = initialShape;
        _cascades = cascades;
        _maxFeatures = cascades.Length == 0 ? 0 : cascades.Max(c => c.FeatureCount);
        _maxTrees = cascades.Length == 0 ? 0 : cascades.Max(c => c.TreeCount);
        TreeCount = cascades.Sum(c => c.TreeCount);
        _fingerprint = new Lazy<string>(() => ComputeFingerprint(initialShape, cascades));
    }

    /// <summary>Identifies the model's content (a hash of its mean shape, split thresholds and leaves), so that
    /// cached landmarks are only reused with the model that made them.</summary>
    public string Fingerprint => _fingerprint.Value;

    /// <summary>The number of landmarks (68 for the iBUG model).</summary>
    public int PartCount => _initialShape.Length / 2;

    /// <summary>The number of cascade levels (15 for the 68-point model).</summary>
    public int CascadeCount => _cascades.Length;

    /// <summary>The number of regression trees over all cascades.</summary>
    public int TreeCount { get; }

    /// <summary>The model's mean shape in the normalised box space, x0, y0, x1, y1, …</summary>
    public ReadOnlySpan<float> InitialShape => _initialShape;

    /// <summary>
    /// The model file that <see cref="Load(string?)"/> reads when given no path: the environment variable
    /// <see cref="ModelPathEnvironmentVariable"/> if set, else <see cref="DefaultModelPath"/>.
    /// </summary>
    public static string ResolveModelPath(string? path = null)
    {
        if (!string.IsNullOrWhiteSpace(path))
        {
            return path;
        }

        var fromEnvironment = Environment.GetEnvironmentVariable(ModelPathEnvironmentVariable);
        return string.IsNullOrWhiteSpace(fromEnvironment) ? DefaultModelPath : fromEnvironment;
    }

    /// <summary>Reads a dlib shape predictor model.</summary>
    /// <param name="path">The .dat file; null: <see cref="ResolveModelPath"/>.</param>
    /// <exception cref="LandmarkModelNotFoundException">The file does not exist; the message says how to install
    /// it.</exception>
    /// <exception cref="InvalidDataException">The file is not a dlib shape predictor, or is larger than
    /// <see cref="MaxModelBytes"/>.</exception>
    public static ShapePredictor Load(string? path = null)
    {
        var resolved = ResolveModelPath(path);
        if (!File.Exists(resolved))
        {
            throw new LandmarkModelNotFoundException(resolved, explicitPath: !string.IsNullOrWhiteSpace(path));
        }

        using var stream = new FileStream(resolved, FileMode.Open, FileAccess.Read, FileShare.Read, 1,
            FileOptions.SequentialScan);
        return Read(stream, resolved);
    }

    /// <summary>Reads a dlib shape predictor model from a stream (read to its end, then disposed). A stream that
    /// cannot seek is first copied into memory, up to <see cref="MaxModelBytes"/>.</summary>
    /// <param name="stream">The serialised model.</param>
    /// <param name="sourceName">A name for error messages.</param>
    /// <exception cref="InvalidDataException">The stream does not hold a dlib shape predictor, or holds more than
    /// <see cref="MaxModelBytes"/>.</exception>
    public static ShapePredictor Read(Stream stream, string sourceName = "the stream")
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        if (!stream.CanSeek)
        {
            var unseekable = stream;
            using (unseekable)
            {
                stream = CopyBounded(unseekable, sourceName);
            }
        }

        var length = stream.Length - stream.Position;
        if (length > MaxModelBytes)
        {
            stream.Dispose();
            throw TooLarge(sourceName, length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        using var reader = new DlibSerializationReader(stream, length, sourceName);
        return Read(reader);
    }

    /// <summary>Predicts the landmarks of the face in <paramref name="box"/>.</summary>
    /// <param name="image">The grey image (dlib's grey values; see <see cref="GrayImage"/>).</param>
    /// <param name="box">The face box; it may extend past the image, but must overlap it and be at most
    /// <see cref="FaceBox.MaxImageMultiple"/> times its larger side (<see cref="FaceBox.FitsImage"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="box"/> does not fit the image.</exception>
    public FaceLandmarks Predict(GrayImage image, FaceBox box)
    {
        ArgumentNullException.ThrowIfNull(image);
        CheckBox(image, box, nameof(box), "");
        return PredictChecked(image, box);
    }

    /// <summary>Predicts the landmarks of an already aligned face crop (RAF-DB aligned, AffectNet crops) in the
    /// calibrated default box <see cref="FaceBox.ForAlignedCrop"/>.</summary>
    public FaceLandmarks PredictAlignedCrop(GrayImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return Predict(image, FaceBox.ForAlignedCrop(image.Width, image.Height));
    }

    /// <summary>Predicts many faces in parallel; result <c>i</c> belongs to <c>faces[i]</c>.</summary>
    /// <param name="faces">Images and boxes (an image may appear with several boxes).</param>
    /// <param name="maxDegreeOfParallelism">Threads to use; -1 for all cores.</param>
    /// <exception cref="ArgumentException">A face has no image, or its box does not fit its image
    /// (<see cref="FaceBox.FitsImage"/>); checked for every face before any is predicted.</exception>
    public FaceLandmarks[] PredictMany(IReadOnlyList<(GrayImage Image, FaceBox Box)> faces,
        int maxDegreeOfParallelism = -1)
    {
        ArgumentNullException.ThrowIfNull(faces);
        for (var i = 0; i < faces.Count; i++)
        {
            var (image, box) = faces[i];
            if (image is null)
            {
                throw new ArgumentException($"Face {i} has no image.", nameof(faces));
            }

            CheckBox(image, box, nameof(faces), $"Face {i}: ");
        }

        var results = new FaceLandmarks[faces.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism };
        Parallel.For(0, faces.Count, options, i => results[i] = PredictChecked(faces[i].Image, faces[i].Box));
        return results;
    }

    /// <summary>The prediction with its internals, for the reference tests: the final normalised shape and the
    /// leaf chosen in every tree, cascade by cascade.</summary>
    internal (FaceLandmarks Landmarks, float[] Shape, byte[] Leaves) PredictTraced(GrayImage image, FaceBox box)
    {
        CheckBox(image, box, nameof(box), "");
        var shape = new float[_initialShape.Length];
        var leaves = new byte[TreeCount];
        Run(image, box, shape, new float[_maxFeatures], leaves);
        return (ToLandmarks(box, shape), shape, leaves);
    }

    /// <summary>The trees of each cascade, for the reference tests.</summary>
    internal int TreesInCascade(int cascade) => _cascades[cascade].TreeCount;

    /// <summary>Throws unless <paramref name="box"/> fits <paramref name="image"/>: a box that misses the image or
    /// dwarfs it would give the mean shape wherever it lies, which must not pass for a face's landmarks.</summary>
    private static void CheckBox(GrayImage image, FaceBox box, string argument, string prefix)
    {
        if (!box.FitsImage(image.Width, image.Height, out var reason))
        {
            throw new ArgumentOutOfRangeException(argument, box, prefix + reason);
        }
    }

    /// <summary>Predicts a face whose box was checked, in this thread's scratch: only the result is allocated.
    /// </summary>
    private FaceLandmarks PredictChecked(GrayImage image, FaceBox box)
    {
        var shape = Scratch(ref _shapeScratch, _initialShape.Length);
        Run(image, box, shape, Scratch(ref _featureScratch, _maxFeatures), null);
        return ToLandmarks(box, shape);
    }

    /// <summary>The first <paramref name="length"/> elements of this thread's <paramref name="scratch"/>, which is
    /// grown first if it is shorter.</summary>
    private static Span<float> Scratch(ref float[]? scratch, int length)
    {
        if (scratch is null || scratch.Length < length)
        {
            scratch = new float[length];
        }

        return scratch.AsSpan(0, length);
    }

    private FaceLandmarks ToLandmarks(FaceBox box, ReadOnlySpan<float> shape)
    {
        var points = new LandmarkPoint[PartCount];
        var (left, top, scaleX, scaleY) = BoxToImage(box);
        for (var i = 0; i < points.Length; i++)
        {
            points[i] = new LandmarkPoint(scaleX * shape[2 * i] + left, scaleY * shape[2 * i + 1] + top);
        }

        return new FaceLandmarks(box, points);
    }

    /// <summary>
    /// dlib's unnormalising transform maps (0,0) to the box's top-left and (1,1) to its bottom-right corner:
    /// x = (Right − Left)·u + Left, y = (Bottom − Top)·v + Top, in double. (dlib solves for it with a pseudo-inverse,
    /// which reaches these values up to rounding in the last bits.)
    /// </summary>
    private static (double Left, double Top, double ScaleX, double ScaleY) BoxToImage(FaceBox box) =>
        (box.Left, box.Top, box.Right - box.Left, box.Bottom - box.Top);

    private void Run(GrayImage image, FaceBox box, Span<float> shape, Span<float> features, byte[]? leafTrace)
    {
        if (_leafScratch is null || _leafScratch.Length < _maxTrees)
        {
            _leafScratch = new int[_maxTrees];
        }

        var leafScratch = _leafScratch;
        _initialShape.CopyTo(shape);
        var (left, top, scaleX, scaleY) = BoxToImage(box);
        var width = image.Width;
        var height = image.Height;
        var pixels = image.Pixels;
        var traceIndex = 0;

        foreach (var cascade in _cascades)
        {
            var (t00, t01, t10, t11) = SimilarityToCurrent(_initialShape, shape);

            // Feature pixels: each reference pixel, anchored to a landmark of the mean shape, follows that
            // landmark and the similarity transform into the current shape, then into the image, where dlib
            // rounds to the nearest pixel and reads 0 outside.
            var anchors = cascade.Anchors;
            var deltas = cascade.Deltas;
            for (var i = 0; i < anchors.Length; i++)
            {
                var anchor = 2 * anchors[i];
                var dx = deltas[2 * i];
                var dy = deltas[2 * i + 1];
                // float arithmetic in dlib's order: (t·delta) + location; explicit casts keep every step float32.
                var u = (float)((float)((float)(t00 * dx) + (float)(t01 * dy)) + shape[anchor]);
                var v = (float)((float)((float)(t10 * dx) + (float)(t11 * dy)) + shape[anchor + 1]);
                var x = Math.Floor(scaleX * u + left + 0.5);
                var y = Math.Floor(scaleY * v + top + 0.5);
                features[i] = x >= 0 && x < width && y >= 0 && y < height
                    ? pixels[(int)y * width + (int)x]
                    : 0f;
            }

            // First every tree's leaf (the features are fixed within a cascade), then the leaves' sum in tree order:
            // float addition is not associative, and dlib adds tree by tree. Apart, the leaf reads (4 MB a face,
            // scattered over the model's 65 MB) can be prefetched ahead instead of stalling one after another.
            var splitStart = cascade.SplitStart;
            var idx1 = cascade.Index1;
            var idx2 = cascade.Index2;
            var thresholds = cascade.Thresholds;
            var shapeLength = shape.Length;
            var leafOffsets = leafScratch.AsSpan(0, cascade.TreeCount);
            for (var t = 0; t < leafOffsets.Length; t++)
            {
                var first = splitStart[t];
                var splitCount = splitStart[t + 1] - first;
                var node = 0;
                while (node < splitCount)
                {
                    var s = first + node;
                    node = 2 * node + (features[idx1[s]] - features[idx2[s]] > thresholds[s] ? 1 : 2);
                }

                var leaf = node - splitCount;
                if (leafTrace is not null)
                {
                    leafTrace[traceIndex++] = (byte)leaf;
                }

                leafOffsets[t] = cascade.LeafStart[t] + leaf * shapeLength;
            }

            SumLeaves(shape, cascade.Leaves, leafOffsets);
        }
    }

    /// <summary>shape += leaves[offset] for each offset in order, reading a few leaves ahead.</summary>
    private static unsafe void SumLeaves(Span<float> shape, float[] leaves, ReadOnlySpan<int> offsets)
    {
        const int ahead = 6;
        fixed (float* leafBase = leaves)
        {
            for (var t = 0; t < offsets.Length; t++)
            {
                if (Sse.IsSupported && t + ahead < offsets.Length)
                {
                    var next = (byte*)(leafBase + offsets[t + ahead]);
                    for (var line = 0; line < shape.Length * sizeof(float); line += 64)
                    {
                        Sse.Prefetch0(next + line);
                    }
                }

                Add(shape, new ReadOnlySpan<float>(leafBase + offsets[t], shape.Length));
            }
        }
    }

    /// <summary>shape += delta, element by element in float32 (as dlib's matrix +=, so vectorising is exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(Span<float> shape, ReadOnlySpan<float> delta)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var targetVectors = MemoryMarshal.Cast<float, Vector<float>>(shape);
            var deltaVectors = MemoryMarshal.Cast<float, Vector<float>>(delta);
            for (var k = 0; k < targetVectors.Length; k++)
            {
                targetVectors[k] += deltaVectors[k];
            }

            i = targetVectors.Length * Vector<float>.Count;
        }

        for (; i < shape.Length; i++)
        {
            shape[i] += delta[i];
        }
    }

    /// <summary>
    /// dlib's find_tform_between_shapes(initial, current): the least-squares similarity (Umeyama) from the mean shape
    /// to the current one, computed in double, then cast to float. In 2-D the optimum has the closed form
    /// [[a, −b], [b, a]] with a = (C₀₀ + C₁₁)/σ², b = (C₁₀ − C₀₁)/σ² (C the cross-covariance, σ² the variance of
    /// the mean shape), which is what dlib's SVD-based formula evaluates to; the float cast absorbs the last-bit
    /// differences between the two double computations.
    /// </summary>
    internal static (float T00, float T01, float T10, float T11) SimilarityToCurrent(
        ReadOnlySpan<float> from, ReadOnlySpan<float> to)
    {
        var n = from.Length / 2;
        if (n == 1)
        {
            return (1f, 0f, 0f, 1f);
        }

        double meanFromX = 0, meanFromY = 0, meanToX = 0, meanToY = 0;
        for (var i = 0; i < n; i++)
        {
            meanFromX += from[2 * i];
            meanFromY += from[2 * i + 1];
            meanToX += to[2 * i];
            meanToY += to[2 * i + 1];
        }

        meanFromX /= n;
        meanFromY /= n;
        meanToX /= n;
        meanToY /= n;

        double sigmaFrom = 0, c00 = 0, c01 = 0, c10 = 0, c11 = 0;
        for (var i = 0; i < n; i++)
        {
            var fx = from[2 * i] - meanFromX;
            var fy = from[2 * i + 1] - meanFromY;
            var tx = to[2 * i] - meanToX;
            var ty = to[2 * i + 1] - meanToY;
            sigmaFrom += fx * fx + fy * fy;
            c00 += tx * fx;
            c01 += tx * fy;
            c10 += ty * fx;
            c11 += ty * fy;
        }

        if (sigmaFrom == 0)
        {
            // dlib keeps c = 1 and the SVD of a zero covariance gives the identity rotation.
            return (1f, 0f, 0f, 1f);
        }

        // The 1/n of the covariance and of σ² cancel.
        var a = (c00 + c11) / sigmaFrom;
        var b = (c10 - c01) / sigmaFrom;
        return ((float)a, (float)-b, (float)b, (float)a);
    }

    private static string ComputeFingerprint(float[] initialShape, Cascade[] cascades)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(
            System.Security.Cryptography.HashAlgorithmName.SHA256);
        hash.AppendData(MemoryMarshal.AsBytes(initialShape.AsSpan()));
        foreach (var cascade in cascades)
        {
            hash.AppendData(MemoryMarshal.AsBytes(cascade.Thresholds.AsSpan()));
            hash.AppendData(MemoryMarshal.AsBytes(cascade.Leaves.AsSpan()));
        }

        // ToHexString + ToLowerInvariant rather than .NET 9's ToHexStringLower: the package targets net8.0 too.
        var digest = Convert.ToHexString(hash.GetHashAndReset().AsSpan(0, 8)).ToLowerInvariant();
        return $"dlib-shape-predictor-{initialShape.Length / 2}-{cascades.Length}-{digest}";
    }

    /// <summary>A copy of what is left in <paramref name="stream"/>, which must be at most
    /// <see cref="MaxModelBytes"/>.</summary>
    private static MemoryStream CopyBounded(Stream stream, string sourceName)
    {
        var copy = new MemoryStream();
        var buffer = new byte[1 << 16];
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            if (copy.Length + read > MaxModelBytes)
            {
                throw TooLarge(sourceName, $"more than {MaxModelBytes}");
            }

            copy.Write(buffer, 0, read);
        }

        copy.Position = 0;
        return copy;
    }

    private static InvalidDataException TooLarge(string sourceName, string size) =>
        new($"{sourceName} is not a dlib shape predictor this reader accepts: it holds {size} bytes, over the " +
            $"limit of {MaxModelBytes} (ShapePredictor.MaxModelBytes).");

    private static ShapePredictor Read(DlibSerializationReader reader)
    {
        // Bounds on counts keep a corrupt file from allocating gigabytes before it fails; each count is also checked
        // against the bytes left, from the fewest bytes its elements can take.
        const int maxCount = 1 << 24;
        const int integer = DlibSerializationReader.MinIntegerBytes;
        const int single = DlibSerializationReader.MinSingleBytes;
        var versionOffset = reader.Offset;
        var version = reader.ReadSigned(4, "version");
        if (version != 1)
        {
            throw reader.Error(versionOffset,
                $"version {version} where dlib::shape_predictor's serialisation version 1 is expected");
        }

        var initialOffset = reader.Offset;
        var initialShape = reader.ReadColumnVector("initial shape");
        if (initialShape.Length == 0 || initialShape.Length % 2 != 0)
        {
            throw reader.Error(initialOffset,
                $"initial shape of length {initialShape.Length} (a positive even length is required)");
        }

        var shapeLength = initialShape.Length;
        var leafBytes = 2 * integer + (long)single * shapeLength;
        var cascadeCount = reader.ReadLength("forests", 1 << 16, integer);
        var forests = new RawTree[cascadeCount][];
        for (var c = 0; c < cascadeCount; c++)
        {
            reader.Context = $"cascade {c}";
            var treeCount = reader.ReadLength("trees", maxCount, 2 * integer + leafBytes);
            var trees = new RawTree[treeCount];
            for (var t = 0; t < treeCount; t++)
            {
                var where = $"cascade {c} tree {t}";
                var treeOffset = reader.Offset;
                reader.Context = where;
                var splitCount = reader.ReadLength("splits", maxCount, 2 * integer + single);
                var idx1 = new int[splitCount];
                var idx2 = new int[splitCount];
                var thresholds = new float[splitCount];
                for (var s = 0; s < splitCount; s++)
                {
                    idx1[s] = reader.ReadIndex("split feature", int.MaxValue);
                    idx2[s] = reader.ReadIndex("split feature", int.MaxValue);
                    thresholds[s] = reader.ReadFiniteSingle("split threshold");
                }

                var leafCount = reader.ReadLength("leaves", maxCount, leafBytes);
                if (leafCount != splitCount + 1 || !BitOperations.IsPow2(leafCount))
                {
                    throw reader.Error(treeOffset, $"{splitCount} splits and {leafCount} leaves (a full " +
                        "binary tree has a power of two leaves, one more than its splits)");
                }

                var leaves = new float[leafCount * shapeLength];
                for (var l = 0; l < leafCount; l++)
                {
                    var leafOffset = reader.Offset;
                    var rows = reader.ReadSigned(8, "leaf rows");
                    var columns = reader.ReadSigned(8, "leaf columns");
                    if (Math.Abs(rows) != shapeLength || Math.Abs(columns) != 1)
                    {
                        throw reader.Error(leafOffset, $"a leaf of {Math.Abs(rows)}×{Math.Abs(columns)} " +
                            $"values where the shape has {shapeLength}");
                    }

                    var target = leaves.AsSpan(l * shapeLength, shapeLength);
                    for (var k = 0; k < target.Length; k++)
                    {
                        target[k] = reader.ReadFiniteSingle("leaf value");
                    }
                }

                trees[t] = new RawTree(idx1, idx2, thresholds, leaves);
            }

            forests[c] = trees;
        }

        reader.Context = null;
        var parts = shapeLength / 2;
        var anchorCascades = reader.ReadLength("anchor indices", 1 << 16, integer);
        var anchors = new int[anchorCascades][];
        for (var c = 0; c < anchorCascades; c++)
        {
            reader.Context = $"cascade {c}";
            var count = reader.ReadLength("anchor indices", maxCount, integer);
            anchors[c] = new int[count];
            for (var i = 0; i < count; i++)
            {
                anchors[c][i] = reader.ReadIndex("anchor index", parts);
            }
        }

        var deltaCascades = reader.ReadLength("pixel deltas", 1 << 16, integer);
        var deltas = new float[deltaCascades][];
        for (var c = 0; c < deltaCascades; c++)
        {
            reader.Context = $"cascade {c}";
            var count = reader.ReadLength("pixel deltas", maxCount, 2 * single);
            deltas[c] = new float[2 * count];
            for (var i = 0; i < 2 * count; i++)
            {
                deltas[c][i] = reader.ReadFiniteSingle("pixel delta");
            }
        }

        reader.Context = null;
        var endOffset = reader.Offset;
        if (anchorCascades != cascadeCount || deltaCascades != cascadeCount)
        {
            throw reader.Error(endOffset, $"{cascadeCount} forests but {anchorCascades} anchor lists and " +
                $"{deltaCascades} delta lists");
        }

        if (!reader.AtEnd())
        {
            throw reader.Error(endOffset, "unexpected bytes after the model");
        }

        var cascades = new Cascade[cascadeCount];
        for (var c = 0; c < cascadeCount; c++)
        {
            var featureCount = anchors[c].Length;
            if (deltas[c].Length != 2 * featureCount)
            {
                throw reader.Error(endOffset, $"cascade {c}: {featureCount} anchors but {deltas[c].Length / 2} deltas");
            }

            cascades[c] = Cascade.Build(forests[c], anchors[c], deltas[c], shapeLength,
                (t, feature) => reader.Error(endOffset, $"cascade {c} tree {t}: split feature {feature} out of range " +
                    $"[0, {featureCount})"));
        }

        return new ShapePredictor(initialShape, cascades);
    }

    private sealed record RawTree(int[] Index1, int[] Index2, float[] Thresholds, float[] Leaves);

    /// <summary>One cascade level, its trees packed into flat arrays for a cache-friendly walk.</summary>
    private sealed class Cascade
    {
        public required int[] Anchors { get; init; }
        public required float[] Deltas { get; init; }
        public required int[] SplitStart { get; init; }
        public required int[] Index1 { get; init; }
        public required int[] Index2 { get; init; }
        public required float[] Thresholds { get; init; }
        public required int[] LeafStart { get; init; }
        public required float[] Leaves { get; init; }

        public int FeatureCount => Anchors.Length;

        public int TreeCount => SplitStart.Length - 1;

        public static Cascade Build(RawTree[] trees, int[] anchors, float[] deltas, int shapeLength,
            Func<int, int, Exception> badFeature)
        {
            var splitStart = new int[trees.Length + 1];
            var leafStart = new int[trees.Length + 1];
            for (var t = 0; t < trees.Length; t++)
            {
                splitStart[t + 1] = checked(splitStart[t] + trees[t].Thresholds.Length);
                leafStart[t + 1] = checked(leafStart[t] + trees[t].Leaves.Length);
            }

            var idx1 = new int[splitStart[^1]];
            var idx2 = new int[splitStart[^1]];
            var thresholds = new float[splitStart[^1]];
            var leaves = new float[leafStart[^1]];
            for (var t = 0; t < trees.Length; t++)
            {
                foreach (var feature in trees[t].Index1.Concat(trees[t].Index2))
                {
                    if (feature >= anchors.Length)
                    {
                        throw badFeature(t, feature);
                    }
                }

                trees[t].Index1.CopyTo(idx1, splitStart[t]);
                trees[t].Index2.CopyTo(idx2, splitStart[t]);
                trees[t].Thresholds.CopyTo(thresholds, splitStart[t]);
                trees[t].Leaves.CopyTo(leaves, leafStart[t]);
            }

            return new Cascade
            {
                Anchors = anchors,
                Deltas = deltas,
                SplitStart = splitStart,
                Index1 = idx1,
                Index2 = idx2,
                Thresholds = thresholds,
                LeafStart = leafStart,
                Leaves = leaves,
            };
        }
    }
}
