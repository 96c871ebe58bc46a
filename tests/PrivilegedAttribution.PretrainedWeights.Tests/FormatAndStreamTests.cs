using static TorchSharp.torch;

namespace PrivilegedAttribution.PretrainedWeightsTests;

/// <summary>The format comes from the content, not the extension; streams load like files; a model saved from
/// PyTorch's DataParallel loads without its "module." prefix.</summary>
public sealed class FormatAndStreamTests
{
    [TestCase("resnet18.safetensors", "weights.pth", WeightFileFormat.Safetensors)]
    [TestCase("resnet18.pth", "weights.safetensors", WeightFileFormat.PyTorchZip)]
    public void The_format_is_recognised_by_content_not_extension(string file, string misnamed,
        WeightFileFormat format)
    {
        var path = PyTorchFiles.CopyToTemporary(file, misnamed);
        try
        {
            using var scope = NewDisposeScope();
            using var model = TestModels.TorchVision("resnet18");

            var report = PretrainedWeights.Load(model, path);

            Assert.That(report.Format, Is.EqualTo(format));
            Assert.That(TestModels.MaxDifference(TestModels.Logits(model, PyTorchFiles.Input()),
                PyTorchFiles.Logits("resnet18")), Is.LessThanOrEqualTo(1e-4));
        }
        finally
        {
            TamperedFiles.Delete(path);
        }
    }

    [TestCase("tiny.pth")]
    [TestCase("tiny.safetensors")]
    public void A_stream_loads_like_a_file_and_stays_open(string file)
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.Tiny();
        using var stream = new MemoryStream(File.ReadAllBytes(PyTorchFiles.PathOf(file)));
        stream.Position = 17;

        var report = PretrainedWeights.Load(model, stream, name: "tiny from memory");

        Assert.That(report.Source, Is.EqualTo("tiny from memory"));
        Assert.That(stream.CanRead, Is.True, "left open");
        var logits = TestModels.Logits(model, PyTorchFiles.Floats("tiny.input.f32", 2, 3, 8, 8));
        Assert.That(TestModels.MaxDifference(logits, PyTorchFiles.Floats("tiny.logits.f32", 2, 5)),
            Is.LessThanOrEqualTo(1e-4));
    }

    [Test]
    public void A_stream_that_cannot_seek_is_refused()
    {
        using var model = TestModels.Tiny();
        using var stream = new UnseekableStream(File.ReadAllBytes(PyTorchFiles.PathOf("tiny.pth")));

        var error = Assert.Throws<ArgumentException>(() => PretrainedWeights.Load(model, stream))!;

        Assert.That(error.ParamName, Is.EqualTo("stream"));
        Assert.That(error.Message, Does.Contain("CanSeek False"));
    }

    [Test]
    public void A_DataParallel_state_dict_loads_without_its_module_prefix()
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.Tiny();

        var report = PretrainedWeights.Load(model, PyTorchFiles.PathOf("tiny.module_prefix.pth"));

        Assert.That(report.StrippedPrefix, Is.EqualTo("module."));
        Assert.That(report.ToString(), Does.Contain("(the file's 'module.' prefix removed)"));
        var logits = TestModels.Logits(model, PyTorchFiles.Floats("tiny.input.f32", 2, 3, 8, 8));
        Assert.That(TestModels.MaxDifference(logits, PyTorchFiles.Floats("tiny.logits.f32", 2, 5)),
            Is.LessThanOrEqualTo(1e-4));
    }

    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
