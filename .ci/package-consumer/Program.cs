// Proves the packed package works as an ordinary dependency: referenced from a folder feed beside TorchSharp-cpu,
// built on this machine (where the package's buildTransitive fix must make TorchSharp load), one PAL step runs.
// .ci/package-smoke.sh builds it for net10.0 and publishes it self-contained for net8.0, with warnings as errors.
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using PrivilegedAttribution;
using TorchSharp;
using static TorchSharp.torch;

CpuBackend.SetNnpackEnabled(false);
manual_seed(1);
var model = nn.Sequential(
    ("conv1", nn.Conv2d(3, 8, 3, padding: 1)), ("bn1", nn.BatchNorm2d(8)), ("relu1", nn.ReLU(inplace: true)),
    ("conv2", nn.Conv2d(8, 8, 3, padding: 1)), ("relu2", nn.ReLU(inplace: true)),
    ("pool", nn.AdaptiveAvgPool2d(1)), ("flat", nn.Flatten()), ("fc", nn.Linear(8, 7)));
var optimizer = optim.SGD(model.parameters(), 0.05);
using var objective = new PalObjective(model, [new PalLayer("conv2", 0.5, ChannelStrategy.FirstFraction(0.5))],
    new HeatmapPrior(32, 32, sigma: 3, regions: LandmarkRegion.InnerFace));
using var step = NewDisposeScope();
var images = randn(4, 3, 32, 32);
var labels = tensor(new long[] { 0, 3, 6, 2 });
var landmarks = rand(4, 68, 2) * 32;
model.zero_grad();
var output = objective.Compute(images, labels, landmarks);
output.Total.backward();
optimizer.step();
var (ce, pal, total) = (output.Criterion.item<float>(), output.Terms[0].Loss.item<float>(),
    output.Total.item<float>());
Console.WriteLine($"package consumer ({RuntimeInformation.FrameworkDescription}): CE {ce:F4}, PAL {pal:F4}, " +
    $"total {total:F4}");

// The nullable annotations say what the docs say: the target may be null unless it is the true class (with
// warnings as errors, a non-nullable parameter would fail this build with CS8625).
using var map = new AttributionMap(model, "conv2", target: AttributionTarget.SumOfLogits);
var attribution = map.forward(model.call(images), null);

// Symbols: the package's DLL carries its portable PDB; built with CI=true its source paths are mapped to /_/.
using var pe = new PEReader(File.OpenRead(typeof(PalLoss).Assembly.Location));
var embedded = pe.ReadDebugDirectory().Where(e => e.Type == DebugDirectoryEntryType.EmbeddedPortablePdb).ToList();
using var pdb = embedded.Count == 1 ? pe.ReadEmbeddedPortablePdbDebugDirectoryData(embedded[0]) : null;
var documents = pdb?.GetMetadataReader().Documents.Select(d => pdb.GetMetadataReader().GetDocument(d).Name)
    .Select(name => pdb.GetMetadataReader().GetString(name)).ToList() ?? [];
Console.WriteLine($"package consumer: attribution {string.Join('×', attribution.shape)} with a null target; " +
    $"embedded PDB: {documents.Count} source files, e.g. {documents.FirstOrDefault() ?? "none"}");
return float.IsFinite(total) && Math.Abs(total - (ce + 0.5f * pal)) < 1e-4f && documents.Count > 0 ? 0 : 1;
