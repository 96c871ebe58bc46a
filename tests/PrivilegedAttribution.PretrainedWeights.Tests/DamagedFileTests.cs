using static TorchSharp.torch;

namespace PrivilegedAttribution.PretrainedWeightsTests;

/// <summary>Damaged, truncated and mistaken files end in an <see cref="InvalidDataException"/> that names the file
/// and says what to do — never another exception, a half-loaded model or a native crash.</summary>
public sealed class DamagedFileTests
{
    [TestCase("resnet18.pth", 0.5)]
    [TestCase("resnet18.pth", 0.999)]
    [TestCase("resnet18.pth", 0.0001)]
    [TestCase("resnet18.safetensors", 0.5)]
    [TestCase("resnet18.safetensors", 0.999)]
    [TestCase("resnet18.safetensors", 0.0002)]
    public void A_truncated_file_is_refused_naming_it(string file, double kept)
    {
        var path = PyTorchFiles.CopyToTemporary(file);
        try
        {
            using (var stream = new FileStream(path, FileMode.Open))
            {
                stream.SetLength((long)(stream.Length * kept));
            }

            using var scope = NewDisposeScope();
            using var model = TestModels.TorchVision("resnet18");
            var before = TestModels.Snapshot(model);

            var error = Assert.Throws<InvalidDataException>(() => PretrainedWeights.Load(model, path))!;

            Assert.That(error.Message, Does.Contain($"'{path}'"));
            Assert.That(error.Message, Does.Contain("truncated"));
            Assert.That(TestModels.Unchanged(model, before), Is.True, "the model changed");
        }
        finally
        {
            TamperedFiles.Delete(path);
        }
    }

    [TestCase(new byte[0], "its 0 bytes start with nothing")]
    [TestCase(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, "its 10 bytes start with 0102030405060708090A")]
    public void A_file_of_no_known_format_is_refused_with_its_first_bytes(byte[] content, string message)
    {
        var folder = Directory.CreateTempSubdirectory("pretrained-weights-").FullName;
        var path = Path.Combine(folder, "weights.pth");
        File.WriteAllBytes(path, content);
        try
        {
            using var scope = NewDisposeScope();
            using var model = TestModels.Tiny();

            var error = Assert.Throws<InvalidDataException>(() => PretrainedWeights.Load(model, path))!;

            Assert.That(error.Message, Does.StartWith($"'{path}' is neither a PyTorch state dict"));
            Assert.That(error.Message, Does.Contain(message));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestCase("tiny.legacy.pth", "format of PyTorch before 1.6", "torch.save(torch.load(old_path), new_path)")]
    [TestCase("tiny.torchscript.pt", "is a TorchScript archive (torch.jit.save)", "torch.save(model.state_dict()")]
    [TestCase("tiny.whole_model.pth", "could not be read as torch.save's state dict", "save model.state_dict()")]
    [TestCase("tiny.checkpoint.pth", "holds a dictionary with 3 entries that are not tensors: 'epoch' (Int32), " +
        "'optimizer' (a dictionary of 2 entries), 'state_dict' (a dictionary of",
        "A training checkpoint? Save its state dict alone: torch.save(checkpoint['state_dict'], path).")]
    public void A_file_that_holds_something_else_than_a_state_dict_is_refused_saying_what_to_save(string file,
        string what, string todo)
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.Tiny();
        var path = PyTorchFiles.PathOf(file);

        var error = Assert.Throws<InvalidDataException>(() => PretrainedWeights.Load(model, path))!;

        Assert.That(error.Message, Does.StartWith($"'{path}'"));
        Assert.That(error.Message, Does.Contain(what));
        Assert.That(error.Message, Does.Contain(todo));
    }

    /// <summary>Bytes changed at random anywhere in small files: the result is a load (the change hit a value),
    /// an <see cref="InvalidDataException"/> or an <see cref="ArgumentException"/> (the change hit a name or a
    /// shape), and never another exception or a crash of the test process.</summary>
    [TestCase("tiny.pth")]
    [TestCase("tiny.safetensors")]
    public void Random_byte_changes_end_in_a_load_or_a_clear_exception(string file)
    {
        var original = File.ReadAllBytes(PyTorchFiles.PathOf(file));
        var folder = Directory.CreateTempSubdirectory("pretrained-weights-").FullName;
        var random = new Random(23);
        var outcomes = new Dictionary<string, int>();
        try
        {
            for (var trial = 0; trial < 300; trial++)
            {
                var bytes = (byte[])original.Clone();
                for (var change = random.Next(1, 4); change > 0; change--)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }

                var path = Path.Combine(folder, $"{trial}.bin");
                File.WriteAllBytes(path, bytes);
                using var scope = NewDisposeScope();
                using var model = TestModels.Tiny();
                string outcome;
                try
                {
                    PretrainedWeights.Load(model, path, "4");
                    outcome = "loaded";
                }
                catch (InvalidDataException e)
                {
                    Assert.That(e.Message, Does.Contain($"'{path}'"));
                    outcome = nameof(InvalidDataException);
                }
                catch (ArgumentException e) when (e.ParamName == "path")
                {
                    Assert.That(e.Message, Does.Contain($"'{path}'"));
                    outcome = nameof(ArgumentException);
                }

                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        TestContext.Out.WriteLine(string.Join(", ", outcomes.Select(o => $"{o.Key} {o.Value}")));
        Assert.That(outcomes.GetValueOrDefault(nameof(InvalidDataException)), Is.GreaterThan(0));
    }
}
