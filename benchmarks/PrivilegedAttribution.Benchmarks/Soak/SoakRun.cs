using System.Diagnostics;
using System.Text.Json.Nodes;
using PrivilegedAttribution.Benchmarks.Measurement;
using TorchSharp;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Benchmarks.Soak;

/// <summary>
/// One soak: <c>steps</c> PAL training steps of TorchVision's ResNet-18 with one optimiser, in this process, each
/// step as a training loop writes it (a dispose scope, <c>model.zero_grad()</c>, <see cref="PalObjective"/>'s total,
/// backward, the optimiser's step), reading the live tensors, resident memory and glibc's heap at the checkpoints.
/// </summary>
public static class SoakRun
{
    /// <summary>Where PAL taps ResNet-18.</summary>
    public const string Layer = "layer3";

    /// <summary>PAL's weight λ.</summary>
    public const double Lambda = 0.5;

    private const int Classes = 7;
    private const int Landmarks = 68;
    private const int Batches = 4;

    /// <summary>The steps after which a soak of <paramref name="steps"/> reads memory: 1/20, 1/4, 1/2 and all of
    /// them (100, 500, 1000 and 2000 for 2,000 steps).</summary>
    public static int[] Checkpoints(int steps) =>
        new[] { steps / 20, steps / 4, steps / 2, steps }.Where(s => s > 0).Distinct().ToArray();

    /// <summary>Runs the soak and returns its readings as JSON: the optimiser, then for each checkpoint the step,
    /// live tensors, resident bytes, glibc's heap and in-use bytes, garbage collections so far and seconds.</summary>
    /// <param name="optimizer">A name from <see cref="SoakOptimizer.Names"/>.</param>
    /// <param name="steps">How many steps.</param>
    /// <param name="batch">Images per batch.</param>
    /// <param name="size">Image side in pixels.</param>
    /// <param name="residentLimit">Resident bytes at which the soak stops early, so that an optimiser whose
    /// memory grows does not take the machine's: the report then says at which step it stopped.</param>
    /// <param name="progress">Told each checkpoint's reading as it is taken.</param>
    public static JsonObject Run(string optimizer, int steps, int batch, int size, long residentLimit,
        Action<string>? progress = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        manual_seed(20220324);
        using var model = torchvision.models.resnet18(num_classes: Classes);
        model.train();
        using var objective = new PalObjective(model, [new PalLayer(Layer, Lambda)],
            new HeatmapPrior(size, size, sigma: size / 20.0));
        using var optim = SoakOptimizer.Create(optimizer, model.parameters());
        var data = Enumerable.Range(0, Batches).Select(_ => RandomBatch(batch, size)).ToArray();

        var checkpoints = Checkpoints(steps);
        var readings = new JsonArray();
        var clock = Stopwatch.StartNew();
        var optimizerClock = new Stopwatch();
        int? stoppedAt = null;
        for (var step = 1; step <= steps && stoppedAt is null; step++)
        {
            var (images, labels, landmarks) = data[step % Batches];
            using (NewDisposeScope())
            {
                model.zero_grad();
                objective.Compute(images, labels, landmarks).Total.backward();
                optimizerClock.Start();
                optim.step();
                optimizerClock.Stop();
            }

            var resident = NativeMemory.ResidentBytes();
            if (resident > residentLimit)
            {
                stoppedAt = step;
            }

            if (checkpoints.Contains(step) || stoppedAt is not null)
            {
                var reading = new JsonObject
                {
                    ["step"] = step,
                    ["live_tensors"] = DisposeScopeManager.Statistics.ThreadTotalLiveCount,
                    ["resident_bytes"] = resident,
                    ["heap_bytes"] = GlibcHeap.Bytes(),
                    ["in_use_bytes"] = GlibcHeap.BytesInUse(),
                    ["collections"] = GC.CollectionCount(0),
                    ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 1),
                    ["optimizer_seconds"] = Math.Round(optimizerClock.Elapsed.TotalSeconds, 1),
                };
                readings.Add(reading);
                progress?.Invoke(reading.ToJsonString());
            }
        }

        foreach (var (images, labels, landmarks) in data)
        {
            images.Dispose();
            labels.Dispose();
            landmarks.Dispose();
        }

        return new JsonObject
        {
            ["optimizer"] = optimizer,
            ["peak_resident_bytes"] = NativeMemory.PeakResidentBytes(),
            ["stopped_at"] = stoppedAt,
            ["readings"] = readings,
        };
    }

    /// <summary>Random images, labels, and landmarks inside the image (the soak measures memory, not learning).
    /// </summary>
    private static (Tensor Images, Tensor Labels, Tensor Landmarks) RandomBatch(int batch, int size) =>
    (
        randn(batch, 3, size, size).DetachFromDisposeScope(),
        randint(0, Classes, [batch]).DetachFromDisposeScope(),
        (rand(batch, Landmarks, 2) * (size * 0.6) + size * 0.2).DetachFromDisposeScope()
    );
}
