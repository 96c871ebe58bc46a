using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;
using static PrivilegedAttribution.Tests.Numerics;

namespace PrivilegedAttribution.Tests;

/// <summary>
/// Agreement with an independent PyTorch implementation of DESIGN.md's numerics: Reference/make_reference.py, run
/// with Debian's python3-torch, wrote Reference/reference.json (regenerate with
/// <c>/usr/bin/python3 tests/PrivilegedAttribution.Tests/Reference/make_reference.py</c>). float64, 1e-6 relative.
/// </summary>
public sealed class ReferenceTests
{
    private const double Rtol = 1e-6;
    private const double Atol = 1e-12;

    private static readonly Lazy<JsonElement> Fixture = new(() => JsonDocument.Parse(File.ReadAllText(
        Path.Combine(TestContext.CurrentContext.TestDirectory, "Reference", "reference.json"))).RootElement);

    private static IEnumerable<TestCaseData> Cases(string section) =>
        Fixture.Value.GetProperty(section).EnumerateArray()
            .Select(c => new TestCaseData(c.GetProperty("name").GetString()!).SetName(c.GetProperty("name")
                .GetString()!));

    private static IEnumerable<TestCaseData> HeatmapCases() => Cases("heatmap_cases");

    private static IEnumerable<TestCaseData> PalCases() => Cases("pal_cases");

    private static IEnumerable<TestCaseData> ModelCases() => Cases("model_cases");

    private static JsonElement Case(string section, string name) =>
        Fixture.Value.GetProperty(section).EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    [TestCaseSource(nameof(HeatmapCases))]
    public void Heatmap(string name)
    {
        using var scope = NewDisposeScope();
        var c = Case("heatmap_cases", name);
        var visible = c.GetProperty("visible");
        var map = PalFunctional.landmark_heatmap(
            Read(c.GetProperty("landmarks")),
            c.GetProperty("image_h").GetInt64(), c.GetProperty("image_w").GetInt64(),
            c.GetProperty("out_h").GetInt64(), c.GetProperty("out_w").GetInt64(),
            c.GetProperty("sigma").GetDouble(),
            visible.ValueKind == JsonValueKind.Null ? null : Read(visible).to(ScalarType.Bool),
            Enum.Parse<HeatmapCombine>(c.GetProperty("combine").GetString()!));
        AssertClose(map, Read(c.GetProperty("heatmap")), Rtol, Atol, name);
    }

    [TestCaseSource(nameof(PalCases))]
    public void Pal_loss_and_its_gradient(string name)
    {
        using var scope = NewDisposeScope();
        var c = Case("pal_cases", name);
        var attribution = Read(c.GetProperty("attribution")).requires_grad_();
        var loss = PalFunctional.pal_loss(attribution, Read(c.GetProperty("heatmap")), Strategy(c),
            Enum.Parse<PalNormalization>(c.GetProperty("normalization").GetString()!),
            Enum.Parse<nn.Reduction>(c.GetProperty("reduction").GetString()!), c.GetProperty("eps").GetDouble());
        AssertClose(loss, Read(c.GetProperty("loss")), Rtol, Atol, $"{name}: loss");
        var gradient = autograd.grad([loss.sum()], [attribution])[0];
        AssertClose(gradient, Read(c.GetProperty("grad_attribution")), Rtol, Atol, $"{name}: gradient");
    }

    [TestCaseSource(nameof(ModelCases))]
    public void Model_attribution_objective_and_parameter_gradients(string name)
    {
        using var scope = NewDisposeScope();
        var c = Case("model_cases", name);
        var m = Fixture.Value.GetProperty("model");
        using var model = ReferenceModel(m);
        var x = Read(m.GetProperty("x"));
        var target = Read(m.GetProperty("target")).to(ScalarType.Int64);
        var landmarks = Read(m.GetProperty("landmarks"));
        var method = Enum.Parse<AttributionMethod>(c.GetProperty("method").GetString()!);
        var targetKind = Enum.Parse<AttributionTarget>(c.GetProperty("target_kind").GetString()!);

        using (var attribution = new AttributionMap(model, "conv2", method, targetKind))
        {
            var map = attribution.call(model.call(x), target);
            AssertClose(map, Read(c.GetProperty("attribution")), Rtol, Atol, $"{name}: attribution");
        }

        using var prior = new HeatmapPrior(6, 6, 1.5);
        AssertClose(prior.render(landmarks, 6, 6), Read(c.GetProperty("heatmap")), Rtol, Atol, $"{name}: heatmap");
        var layer = new PalLayer("conv2", c.GetProperty("lambda").GetDouble(), Strategy(c),
            Enum.Parse<PalNormalization>(c.GetProperty("normalization").GetString()!));
        using var objective = new PalObjective(model, [layer], prior, method, targetKind);
        var output = objective.Compute(x, target, landmarks);
        AssertClose(output.Criterion, Read(c.GetProperty("cross_entropy")), Rtol, Atol, $"{name}: CE");
        AssertClose(output.Terms[0].Loss, Read(c.GetProperty("pal")), Rtol, Atol, $"{name}: PAL");
        AssertClose(output.Total, Read(c.GetProperty("total")), Rtol, Atol, $"{name}: total");
        var parameters = model.named_parameters().ToList();
        var gradients = autograd.grad([output.Total], parameters.Select(p => (Tensor)p.parameter).ToList());
        var expected = c.GetProperty("grads");
        for (var i = 0; i < parameters.Count; i++)
        {
            AssertClose(gradients[i], Read(expected.GetProperty(parameters[i].name)), Rtol, Atol,
                $"{name}: d total / d {parameters[i].name}");
        }
    }

    /// <summary>The reference's CNN: conv1 → bn1 (eval) → ReLU → conv2 (tapped) → tanh → GAP → fc.</summary>
    private static nn.Module<Tensor, Tensor> ReferenceModel(JsonElement m)
    {
        var model = nn.Sequential(
            ("conv1", nn.Conv2d(1, 3, 3, padding: 1, dtype: ScalarType.Float64)),
            ("bn1", nn.BatchNorm2d(3, eps: 1e-5, dtype: ScalarType.Float64)),
            ("relu", nn.ReLU()),
            ("conv2", nn.Conv2d(3, 4, 3, padding: 1, dtype: ScalarType.Float64)),
            ("tanh", nn.Tanh()),
            ("gap", nn.AdaptiveAvgPool2d(1)),
            ("flat", nn.Flatten()),
            ("fc", nn.Linear(4, 3, dtype: ScalarType.Float64)));
        var weights = m.GetProperty("weights");
        using (no_grad())
        {
            foreach (var (name, parameter) in model.named_parameters())
            {
                parameter.copy_(Read(weights.GetProperty(name)));
            }

            var buffers = model.named_buffers().ToDictionary(b => b.name, b => b.buffer);
            buffers["bn1.running_mean"].copy_(Read(m.GetProperty("bn1_running_mean")));
            buffers["bn1.running_var"].copy_(Read(m.GetProperty("bn1_running_var")));
        }

        model.eval();
        return model;
    }

    private static ChannelStrategy Strategy(JsonElement c) => c.GetProperty("strategy").GetString() switch
    {
        "Mean" => ChannelStrategy.Mean,
        "AllChannels" => ChannelStrategy.AllChannels,
        "FirstFraction" => ChannelStrategy.FirstFraction(c.GetProperty("fraction").GetDouble()),
        var other => throw new InvalidDataException($"unknown strategy {other}"),
    };

    /// <summary>{"shape": [...], "data": [...]} → float64 tensor; non-finite values are the strings "NaN",
    /// "Infinity", "-Infinity".</summary>
    private static Tensor Read(JsonElement t)
    {
        var shape = t.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
        var data = t.GetProperty("data").EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String
            ? double.Parse(v.GetString()!, System.Globalization.CultureInfo.InvariantCulture)
            : v.GetDouble()).ToArray();
        return tensor(data).reshape(shape);
    }
}
