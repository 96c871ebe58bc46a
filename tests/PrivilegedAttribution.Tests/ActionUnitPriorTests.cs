using PrivilegedAttribution.Landmarks.Datasets;
using TorchSharp;
using static TorchSharp.torch;
using static PrivilegedAttribution.Tests.Numerics;

namespace PrivilegedAttribution.Tests;

/// <summary>The class-specific action-unit prior: each sample's map shows its own expression's units, located from
/// its landmarks, with the numerics of the landmark heatmap.</summary>
public sealed class ActionUnitPriorTests
{
    private const long Size = 112;

    // RAF-DB's label order: 0 surprise, 1 fear, 2 disgust, 3 happiness, 4 sadness, 5 anger, 6 neutral.
    private const long Surprise = 0, Fear = 1, Disgust = 2, Happiness = 3, Sadness = 4, Anger = 5, Neutral = 6;

    /// <summary>A hand-made upright face in a 112×112 image, iBUG-68 order (0-based; the image-left eye's outer
    /// corner is 36 at (30, 48), the image-right one 45 at (82, 48): inter-ocular distance 52).</summary>
    private static double[,] Face()
    {
        var face = new double[68, 2];
        for (var i = 0; i <= 16; i++)
        {
            var angle = Math.PI - i * Math.PI / 16; // jaw: left ear, chin (8, at (56, 100)), right ear
            (face[i, 0], face[i, 1]) = (56 + 40 * Math.Cos(angle), 50 + 50 * Math.Sin(angle));
        }

        double[] rest =
        [
            26, 38, 32, 35, 38, 34, 44, 34, 50, 36, 62, 36, 68, 34, 74, 34, 80, 35, 86, 38, // brows 17–26
            56, 44, 56, 50, 56, 56, 56, 62, 48, 66, 52, 67, 56, 68, 60, 67, 64, 66, // nose 27–35
            30, 48, 35, 45, 41, 45, 46, 48, 41, 51, 35, 51, // image-left eye 36–41
            66, 48, 71, 45, 77, 45, 82, 48, 77, 51, 71, 51, // image-right eye 42–47
            42, 80, 47, 77, 52, 76, 56, 77, 60, 76, 65, 77, 70, 80, 65, 84, 60, 86, 56, 86, 52, 86, 47, 84, // 48–59
            45, 80, 51, 79, 56, 79, 61, 79, 67, 80, 61, 82, 56, 82, 51, 82, // inner lips 60–67
        ];
        for (var k = 0; k < rest.Length / 2; k++)
        {
            (face[17 + k, 0], face[17 + k, 1]) = (rest[2 * k], rest[2 * k + 1]);
        }

        return face;
    }

    /// <summary><see cref="Face"/> moved, scaled about its centre and rotated, so that samples differ.</summary>
    private static double[,] Moved(double[,] face, double dx, double dy, double scale, double degrees)
    {
        var (cos, sin) = (Math.Cos(degrees * Math.PI / 180), Math.Sin(degrees * Math.PI / 180));
        var result = new double[68, 2];
        for (var k = 0; k < 68; k++)
        {
            var (x, y) = ((face[k, 0] - 56) * scale, (face[k, 1] - 60) * scale);
            (result[k, 0], result[k, 1]) = (56 + dx + cos * x - sin * y, 60 + dy + sin * x + cos * y);
        }

        return result;
    }

    private static Tensor Batch(params double[][,] faces) =>
        stack(faces.Select(f => tensor(f)).ToArray()); // (B,68,2) float64

    private static Tensor Labels(params long[] labels) => tensor(labels);

    private static double At(Tensor map, long sample, double x, double y) =>
        Scalar(map[sample, 0, (long)Math.Round(y), (long)Math.Round(x)]);

    /// <summary>The expected map of one sample, computed point by point from the documented definitions: each
    /// distinct point of the class's units whose landmarks (and, with an offset, 36 and 45) are visible, at the
    /// mean of its landmarks + across·e + down·n; x' = mapX(x), σ'x = σ·scaleX (y likewise); Σ (or max) of the
    /// Gaussians, divided by the map's maximum.</summary>
    private static double[,] Direct(double[,] face, bool[] visible, IEnumerable<ActionUnit> units, long h, long w,
        double sigma, Func<double, double> mapX, Func<double, double> mapY, double scaleX, double scaleY,
        HeatmapCombine combine = HeatmapCombine.Sum)
    {
        var points = units.SelectMany(u => u.Points).Distinct().ToList();
        var (ex, ey) = (face[45, 0] - face[36, 0], face[45, 1] - face[36, 1]);
        var (nx, ny) = (-ey, ex);
        var map = new double[h, w];
        foreach (var point in points)
        {
            var needed = point.Landmarks.Concat(point.Across != 0 || point.Down != 0 ? [36, 45] : []);
            if (!needed.All(k => visible[k]))
            {
                continue;
            }

            var x = point.Landmarks.Average(k => face[k, 0]) + point.Across * ex + point.Down * nx;
            var y = point.Landmarks.Average(k => face[k, 1]) + point.Across * ey + point.Down * ny;
            var (cx, cy, sx, sy) = (mapX(x), mapY(y), sigma * scaleX, sigma * scaleY);
            for (var i = 0; i < h; i++)
            {
                for (var j = 0; j < w; j++)
                {
                    var g = Math.Exp(-((j - cx) * (j - cx) / (2 * sx * sx) + (i - cy) * (i - cy) / (2 * sy * sy)));
                    map[i, j] = combine == HeatmapCombine.Sum ? map[i, j] + g : Math.Max(map[i, j], g);
                }
            }
        }

        var peak = map.Cast<double>().Max();
        if (peak > 0)
        {
            for (var i = 0; i < h; i++)
            {
                for (var j = 0; j < w; j++)
                {
                    map[i, j] /= peak;
                }
            }
        }

        return map;
    }

    private static double[,] DirectSpanning(double[,] face, bool[] visible, IEnumerable<ActionUnit> units, long h,
        long w, double sigma, HeatmapCombine combine = HeatmapCombine.Sum) =>
        Direct(face, visible, units, h, w, sigma, x => (x + 0.5) * w / Size - 0.5, y => (y + 0.5) * h / Size - 0.5,
            (double)w / Size, (double)h / Size, combine);

    private static bool[] AllVisible() => Enumerable.Repeat(true, 68).ToArray();

    private static void AssertMapEquals(Tensor map, long sample, double[,] expected, string what)
    {
        AssertClose(Values(map[sample, 0]), expected.Cast<double>().ToArray(), 0, 1e-12, what);
    }

    [Test]
    public void Happiness_lights_cheeks_and_lip_corners_and_surprise_lights_brows_lids_and_mouth()
    {
        using var scope = NewDisposeScope();
        using var prior = new ActionUnitPrior(Size, Size, sigma: 3, ExpressionClassOrder.RafDb);
        var face = Face();
        var maps = prior.render(Batch(face, face), Labels(Happiness, Surprise), Size, Size);
        Assert.That(maps.shape, Is.EqualTo(new long[] { 2, 1, Size, Size }));

        // AU12 at the lip corners 48 and 54; AU6 0.3 inter-ocular distances (15.6 px) below the lower lids.
        (double X, double Y)[] happyCells = [(42, 80), (70, 80), (38, 66.6), (74, 66.6)];
        // AU1 at the inner brow ends 21 and 22, AU2 at 18 and 25, AU5 on the upper lids, AU26 at the mouth opening
        // and the chin.
        (double X, double Y)[] surpriseCells = [(50, 36), (62, 36), (32, 35), (80, 35), (38, 45), (74, 45), (56, 80.5),
            (56, 100)];
        foreach (var (x, y) in happyCells)
        {
            Assert.That(At(maps, 0, x, y), Is.GreaterThan(0.85), $"happiness at ({x}, {y})");
            Assert.That(At(maps, 1, x, y), Is.LessThan(0.01), $"surprise at ({x}, {y})");
        }

        foreach (var (x, y) in surpriseCells)
        {
            Assert.That(At(maps, 1, x, y), Is.GreaterThan(0.85), $"surprise at ({x}, {y})");
            Assert.That(At(maps, 0, x, y), Is.LessThan(0.01), $"happiness at ({x}, {y})");
        }
    }

    [Test]
    public void Maps_equal_a_direct_computation_from_the_codebook_at_any_size_and_grid()
    {
        using var scope = NewDisposeScope();
        const double sigma = 5;
        using var prior = new ActionUnitPrior(Size, Size, sigma, ExpressionClassOrder.RafDb);
        double[][,] faces = [Moved(Face(), 3, -2, 0.9, 12), Moved(Face(), -4, 5, 1.1, -20), Face(), Face()];
        long[] labels = [Fear, Anger, Disgust, Sadness];
        var landmarks = Batch(faces);
        var codebook = ActionUnitCodebook.Emfacs;
        var expressions = labels.Select(l => ExpressionClassOrder.RafDb[(int)l]).ToArray();

        foreach (var (h, w) in new (long, long)[] { (Size, Size), (28, 28), (14, 7) })
        {
            var maps = prior.render(landmarks, Labels(labels), h, w);
            for (var b = 0; b < faces.Length; b++)
            {
                AssertMapEquals(maps, b, DirectSpanning(faces[b], AllVisible(), codebook.UnitsOf(expressions[b]), h, w,
                    sigma), $"{expressions[b]} at {h}×{w}");
            }
        }

        // An unpadded network's grid: cell (i, j) centred on pixel (4i + 3.5, 4j + 3.5).
        var grid = new LayerGrid(stride: 4, offset: 3.5);
        var onGrid = prior.render(landmarks, Labels(labels), grid, 27, 27);
        for (var b = 0; b < faces.Length; b++)
        {
            AssertMapEquals(onGrid, b, Direct(faces[b], AllVisible(), codebook.UnitsOf(expressions[b]), 27, 27, sigma,
                x => (x - 3.5) / 4, y => (y - 3.5) / 4, 0.25, 0.25), $"{expressions[b]} on {grid}");
        }

        // The maximum instead of the sum, and the other codebook.
        using var maxPrior = new ActionUnitPrior(Size, Size, sigma, ExpressionClassOrder.RafDb,
            ActionUnitCodebook.Belharbi2024, HeatmapCombine.Max);
        var maxMaps = maxPrior.render(landmarks, Labels(labels), 28, 28);
        for (var b = 0; b < faces.Length; b++)
        {
            AssertMapEquals(maxMaps, b, DirectSpanning(faces[b], AllVisible(),
                ActionUnitCodebook.Belharbi2024.UnitsOf(expressions[b]), 28, 28, sigma, HeatmapCombine.Max),
                $"{expressions[b]}, Belharbi et al.'s units, max");
        }
    }

    [Test]
    public void Each_sample_of_a_mixed_batch_is_rendered_by_its_own_label()
    {
        using var scope = NewDisposeScope();
        using var prior = new ActionUnitPrior(Size, Size, 4, ExpressionClassOrder.RafDb, outputHeight: 28,
            outputWidth: 28);
        double[][,] faces = [Face(), Moved(Face(), 5, 0, 1, 8), Moved(Face(), 0, 4, 0.8, -5), Face(), Face()];
        long[] labels = [Happiness, Surprise, Anger, Neutral, Fear];
        var together = prior.forward(Batch(faces), Labels(labels));
        for (var b = 0; b < faces.Length; b++)
        {
            var alone = prior.forward(Batch(faces[b]), Labels(labels[b]));
            AssertClose(together[b], alone[0], 0, 1e-12, $"sample {b} (label {labels[b]})");
        }

        // Neutral has no unit: an all-zero map (a zero PAL term), also from a prior with no point at all.
        Assert.That(Scalar(together[3].abs().max()), Is.EqualTo(0.0));
        Assert.That(Scalar(together[0].max()), Is.EqualTo(1.0).Within(1e-12));
        using var neutralOnly = new ActionUnitPrior(Size, Size, 4, [FacialExpression.Neutral]);
        var none = neutralOnly.render(Batch(faces), Labels(0, 0, 0, 0, 0), 28, 28);
        Assert.That(none.shape, Is.EqualTo(new long[] { 5, 1, 28, 28 }));
        Assert.That(Scalar(none.abs().max()), Is.EqualTo(0.0));
    }

    [Test]
    public void Permuted_labels_permute_the_maps_and_change_each_one()
    {
        using var scope = NewDisposeScope();
        using var prior = new ActionUnitPrior(Size, Size, 4, ExpressionClassOrder.RafDb);
        var landmarks = Batch(Face(), Face(), Face(), Face());
        long[] labels = [Happiness, Surprise, Sadness, Disgust];
        long[] permuted = [Surprise, Disgust, Happiness, Sadness];
        var maps = prior.render(landmarks, Labels(labels), 28, 28);
        var other = prior.render(landmarks, Labels(permuted), 28, 28);
        for (var b = 0; b < 4; b++)
        {
            var source = Array.IndexOf(labels, permuted[b]);
            AssertClose(other[b], maps[source], 0, 1e-12, $"sample {b} takes sample {source}'s map");
            Assert.That(Scalar((other[b] - maps[b]).abs().max()), Is.GreaterThan(0.5),
                $"sample {b}: {labels[b]} and {permuted[b]} must not look alike");
        }
    }

    [Test]
    public void A_hidden_landmark_removes_the_points_built_from_it()
    {
        using var scope = NewDisposeScope();
        const double sigma = 3;
        using var prior = new ActionUnitPrior(Size, Size, sigma, ExpressionClassOrder.RafDb);
        var face = Face();
        var landmarks = Batch(face, face, face);
        // Sample 1 hides the lip corner 48 (AU12's image-left point; its coordinates may then be anything, here NaN);
        // sample 2 hides the eye corner 36, which the cheek points (AU6, offset in inter-ocular units) need.
        var visible = ones(3, 68, ScalarType.Bool);
        visible[1, 48] = tensor(false);
        visible[2, 36] = tensor(false);
        landmarks[1, 48] = tensor(new[] { double.NaN, double.NaN });
        var maps = prior.render(landmarks, Labels(Happiness, Happiness, Happiness), Size, Size, visible);
        var happiness = ActionUnitCodebook.Emfacs.UnitsOf(FacialExpression.Happiness);

        Assert.That(At(maps, 0, 42, 80), Is.GreaterThan(0.99), "the corner with every landmark shown");
        Assert.That(At(maps, 1, 42, 80), Is.LessThan(1e-3), "the corner whose landmark is hidden");
        Assert.That(At(maps, 1, 70, 80), Is.GreaterThan(0.99), "the other corner stays");
        Assert.That(At(maps, 2, 38, 66.6), Is.LessThan(1e-3), "the cheek without the eye line");
        Assert.That(At(maps, 2, 42, 80), Is.GreaterThan(0.99), "the corners need no eye line");
        for (var b = 0; b < 3; b++)
        {
            var shown = Enumerable.Range(0, 68).Select(k => Values(visible[b, k])[0] != 0).ToArray();
            AssertMapEquals(maps, b, DirectSpanning(face, shown, happiness, Size, Size, sigma), $"sample {b}");
        }
    }

    [Test]
    public void A_mirrored_face_renders_the_mirrored_map()
    {
        using var scope = NewDisposeScope();
        using var prior = new ActionUnitPrior(Size, Size, 4, ExpressionClassOrder.AffectNet);
        var landmarks = Batch(Moved(Face(), 6, 2, 0.9, 10), Moved(Face(), -3, 0, 1, -7), Face());
        var labels = Labels(7, 4, 5); // contempt, fear, disgust: units on both sides, offsets across and down
        // Flip x about the image's centre (pixel centres at integers: x → W − 1 − x) and reindex left and right.
        var mirror = tensor(LandmarkMirror.Ibug68.Select(i => (long)i).ToArray());
        var flipped = landmarks.index_select(1, mirror) * tensor(new[] { -1.0, 1.0 }) + tensor(new[] { Size - 1.0, 0 });
        var maps = prior.render(landmarks, labels, Size, Size);
        var mirroredMaps = prior.render(flipped, labels, Size, Size);
        AssertClose(mirroredMaps, maps.flip(3), 0, 1e-12, "mirrored map");
    }

    [Test]
    public void Renders_in_the_landmarks_dtype_on_their_device()
    {
        using var scope = NewDisposeScope();
        using var prior = new ActionUnitPrior(Size, Size, 4, ExpressionClassOrder.RafDb);
        var landmarks = Batch(Face(), Moved(Face(), 2, 2, 1, 5));
        var labels = Labels(Happiness, Fear);
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.BFloat16 })
        {
            var rounded = landmarks.to(dtype);
            var map = prior.render(rounded, labels, 28, 28);
            Assert.That(map.dtype, Is.EqualTo(dtype));
            Assert.That(map.device_type, Is.EqualTo(DeviceType.CPU));
            // Against float64 from the same (rounded) coordinates: computed in float32, stored in the dtype.
            var reference = prior.render(rounded.to(ScalarType.Float64), labels, 28, 28);
            AssertClose(map, reference, 0, dtype == ScalarType.Float32 ? 1e-5 : 1e-2, dtype.ToString());
        }
    }

    [Test]
    public void Rendering_for_a_training_step_leaves_no_native_scalar_for_the_finalizer()
    {
        // As TrainingStepScalarTests checks for the landmark prior: the objective's render path, repeated.
        using var prior = new ActionUnitPrior(Size, Size, 4, ExpressionClassOrder.RafDb);
        using var landmarks = Batch(Face(), Moved(Face(), 3, 1, 0.9, 8));
        using var labels = Labels(Happiness, Fear);
        IValueCheckedPrior objectivePath = prior;
        using var finalized = new FinalizedObjects();

        void Render()
        {
            using var scope = NewDisposeScope();
            objectivePath.RenderOfChecked(landmarks, labels, 14, 14, null, null);
            objectivePath.RenderOfChecked(landmarks, labels, 7, 7, new LayerGrid(16, 7.5), null);
        }

        Render();
        finalized.Drain(typeof(Scalar));
        for (var i = 0; i < 16; i++)
        {
            Render();
        }

        Assert.That(finalized.Drain(typeof(Scalar)), Is.Zero, "native scalars left by 16 renders");
    }

    [Test]
    public void Without_labels_every_class_unit_is_drawn()
    {
        using var scope = NewDisposeScope();
        using var prior = new ActionUnitPrior(Size, Size, 4, ExpressionClassOrder.RafDb);
        var face = Face();
        var map = prior.render(Batch(face), 28, 28);
        var every = ExpressionClassOrder.RafDb.SelectMany(e => ActionUnitCodebook.Emfacs.UnitsOf(e));
        AssertMapEquals(map, 0, DirectSpanning(face, AllVisible(), every, 28, 28, 4), "all classes' units");
    }

    [Test]
    public void A_training_step_renders_each_sample_by_its_label_and_gives_finite_gradients()
    {
        using var scope = NewDisposeScope();
        const long image = 32;
        using var model = TinyModels.SmallCnn(classes: 7);
        model.eval();
        using var prior = new ActionUnitPrior(image, image, 2, ExpressionClassOrder.RafDb);
        using var objective = new PalObjective(model, [new PalLayer("conv3", 0.7)], prior);
        var scale = image / (double)Size;
        var landmarks = Batch(Face(), Moved(Face(), 4, -3, 0.9, 10), Face(), Moved(Face(), -2, 2, 1, -6)) * scale;
        var labels = Labels(Happiness, Surprise, Neutral, Anger);
        var images = randn(4, 1, image, image, ScalarType.Float64);
        var output = objective.Compute(images, labels, landmarks);

        // The same term written out: the prior rendered with the batch's labels at conv3's 16×16.
        using var tap = new LayerTap(model, "conv3");
        var logits = model.call(images);
        var attribution = PalFunctional.attribution_map(logits, tap.TakeActivation(), labels);
        var expected = PalFunctional.pal_loss(attribution, prior.render(landmarks, labels, 16, 16));
        var classAgnostic = PalFunctional.pal_loss(attribution, prior.render(landmarks, 16, 16));
        Assert.That(Scalar(output.Terms[0].Loss), Is.EqualTo(Scalar(expected)).Within(1e-12));
        Assert.That(Math.Abs(Scalar(output.Terms[0].Loss) - Scalar(classAgnostic)), Is.GreaterThan(1e-6),
            "the term must depend on the labels");

        Assert.That(double.IsFinite(Scalar(output.Total)), Is.True);
        output.Total.backward();
        foreach (var (name, parameter) in model.named_parameters())
        {
            Assert.That(parameter.grad, Is.Not.Null, name);
            Assert.That(Values(parameter.grad!), Is.All.Matches<double>(double.IsFinite), name);
        }
    }

    [Test]
    public void The_objective_rejects_a_prior_with_another_number_of_classes_and_labels_out_of_its_range()
    {
        using var scope = NewDisposeScope();
        const long image = 32;
        var landmarks = Batch(Face(), Face()) * (image / (double)Size);
        var images = randn(2, 1, image, image, ScalarType.Float64);
        using (var model = TinyModels.SmallCnn(classes: 8))
        using (var prior = new ActionUnitPrior(image, image, 2, ExpressionClassOrder.RafDb))
        using (var objective = new PalObjective(model, [new PalLayer("conv3", 1)], prior))
        {
            var error = Assert.Throws<InvalidOperationException>(() =>
                objective.Compute(images, Labels(0, 1), landmarks))!;
            Assert.That(error.Message, Does.Contain("7 classes").And.Contain("8 outputs"));
        }

        // A criterion of its own and another attribution target: the labels are still checked, for the prior.
        using (var model = TinyModels.SmallCnn(classes: 7))
        using (var prior = new ActionUnitPrior(image, image, 2, ExpressionClassOrder.RafDb))
        using (var objective = new PalObjective(model, [new PalLayer("conv3", 1)], prior,
                   target: AttributionTarget.PredictedClass, criterion: nn.CrossEntropyLoss()))
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
                objective.Compute(images, Labels(0, 7), landmarks))!;
            Assert.That(error.ParamName, Is.EqualTo("labels"));
            Assert.That(error.Message, Does.Contain("[0, 7)").And.Contain("[0, 7]"));
        }
    }

    [Test]
    public void Bad_labels_name_the_argument_the_expected_and_the_actual()
    {
        using var scope = NewDisposeScope();
        using var prior = new ActionUnitPrior(Size, Size, 4, ExpressionClassOrder.RafDb);
        var landmarks = Batch(Face(), Face());

        void Throws<TException>(Tensor labels, params string[] fragments)
            where TException : ArgumentException
        {
            var error = Assert.Throws<TException>(() => prior.render(landmarks, labels, 28, 28))!;
            Assert.That(error.ParamName, Is.EqualTo("labels"), error.Message);
            foreach (var fragment in fragments)
            {
                Assert.That(error.Message, Does.Contain(fragment));
            }
        }

        Throws<ArgumentOutOfRangeException>(Labels(3, 7), "[0, 7)", "got values in [3, 7]", "6 Neutral");
        Throws<ArgumentOutOfRangeException>(Labels(-1, 2), "[0, 7)", "got values in [-1, 2]");
        Throws<ArgumentException>(tensor(new[] { 1, 2 }), "Int64", "Int32");
        Throws<ArgumentException>(tensor(new[] { 1.0, 2.0 }), "Int64", "Float64");
        Throws<ArgumentException>(tensor(new long[] { 1, 2 }).reshape(2, 1), "(B)", "[2, 1]");
        Throws<ArgumentException>(Labels(1, 2, 3), "batch size 2", "[3]");
        // The meta device has shapes but no data: it stands in for a second device on a machine without one.
        Throws<ArgumentException>(empty(2, ScalarType.Int64, device: new Device(DeviceType.META)), "meta", "cpu");
    }

    [Test]
    public void Bad_landmarks_class_orders_and_codebooks_are_rejected()
    {
        using var scope = NewDisposeScope();
        using var prior = new ActionUnitPrior(Size, Size, 4, ExpressionClassOrder.RafDb);
        var error = Assert.Throws<ArgumentException>(() => prior.render(rand(2, 5, 2) * 100, Labels(0, 1), 8, 8))!;
        Assert.That(error.ParamName, Is.EqualTo("landmarks"));
        Assert.That(error.Message, Does.Contain("(B,68,2)").And.Contain("[2, 5, 2]"));
        // Landmarks in normalised units: the landmark rules apply as for HeatmapPrior.
        error = Assert.Throws<ArgumentException>(() => prior.render(Batch(Face()) / Size, Labels(0), 8, 8))!;
        Assert.That(error.ParamName, Is.EqualTo("landmarks"));

        error = Assert.Throws<ArgumentException>(() => _ = new ActionUnitPrior(Size, Size, 4,
            ExpressionClassOrder.AffectNet, ActionUnitCodebook.Belharbi2024))!;
        Assert.That(error.ParamName, Is.EqualTo("codebook"));
        Assert.That(error.Message, Does.Contain("classes[7] is Contempt").And.Contain("Belharbi"));
        error = Assert.Throws<ArgumentException>(() => _ = new ActionUnitPrior(Size, Size, 4,
            [FacialExpression.Happiness, FacialExpression.Happiness]))!;
        Assert.That(error.Message, Does.Contain("Happiness twice"));
        error = Assert.Throws<ArgumentException>(() => ExpressionClassOrder.FromNames(["Happy", "Bored"]))!;
        Assert.That(error.Message, Does.Contain("classNames[1] is 'Bored'"));
        error = Assert.Throws<ArgumentException>(() => _ = new ActionUnitCodebook("mine",
            new Dictionary<FacialExpression, IReadOnlyList<int>> { [FacialExpression.Happiness] = [12, 99] }))!;
        Assert.That(error.Message, Does.Contain("AU99"));
        Assert.Throws<ArgumentException>(() => _ = new ActionUnitPoint([48, 68]));
    }

    [Test]
    public void Class_order_presets_are_the_dataset_loaders_orders()
    {
        Assert.That(ExpressionClassOrder.FromNames(RafDbLoader.ClassNames), Is.EqualTo(ExpressionClassOrder.RafDb));
        Assert.That(ExpressionClassOrder.FromNames(AffectNetLoader.ClassNames),
            Is.EqualTo(ExpressionClassOrder.AffectNet));
        Assert.That(ExpressionClassOrder.AffectNet7, Is.EqualTo(ExpressionClassOrder.AffectNet.Take(7)));
        Assert.That(ExpressionClassOrder.RafDb[(int)Happiness], Is.EqualTo(FacialExpression.Happiness));
    }

    [Test]
    public void The_codebooks_hold_the_cited_tables()
    {
        int[] Numbers(ActionUnitCodebook codebook, FacialExpression e) =>
            codebook.UnitsOf(e).Select(u => u.Number).Order().ToArray();

        Assert.That(Numbers(ActionUnitCodebook.Emfacs, FacialExpression.Happiness), Is.EqualTo(new[] { 6, 12 }));
        Assert.That(Numbers(ActionUnitCodebook.Emfacs, FacialExpression.Surprise), Is.EqualTo(new[] { 1, 2, 5, 26 }));
        Assert.That(Numbers(ActionUnitCodebook.Emfacs, FacialExpression.Sadness), Is.EqualTo(new[] { 1, 4, 15 }));
        Assert.That(Numbers(ActionUnitCodebook.Emfacs, FacialExpression.Fear),
            Is.EqualTo(new[] { 1, 2, 4, 5, 7, 20, 26 }));
        Assert.That(Numbers(ActionUnitCodebook.Emfacs, FacialExpression.Anger), Is.EqualTo(new[] { 4, 5, 7, 23 }));
        Assert.That(Numbers(ActionUnitCodebook.Emfacs, FacialExpression.Disgust), Is.EqualTo(new[] { 9, 15, 16 }));
        Assert.That(Numbers(ActionUnitCodebook.Emfacs, FacialExpression.Contempt), Is.EqualTo(new[] { 12, 14 }));
        Assert.That(Numbers(ActionUnitCodebook.Emfacs, FacialExpression.Neutral), Is.Empty);
        Assert.That(Numbers(ActionUnitCodebook.Belharbi2024, FacialExpression.Anger),
            Is.EqualTo(new[] { 4, 5, 7, 10, 17, 23, 24, 25, 26 }));
        // Every bilateral location has a mirror twin, so a flipped face gets the flipped prior.
        foreach (var unit in ActionUnit.Ibug68)
        {
            var mirrored = unit.Points.Select(p => new ActionUnitPoint(
                p.Landmarks.Select(k => LandmarkMirror.Ibug68[k]).Order().ToArray(), -p.Across, p.Down));
            Assert.That(mirrored.Select(p => p.ToString()).Order(),
                Is.EqualTo(unit.Points.Select(p => new ActionUnitPoint(p.Landmarks.Order().ToArray(), p.Across,
                    p.Down).ToString()).Order()), unit.ToString());
        }
    }
}
