using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using PrivilegedAttribution;
using TorchSharp;
using static TorchSharp.torch;

namespace PrivilegedAttribution.PretrainedWeightsTests;

/// <summary>
/// The PyTorch files the tests load, written at set-up by Debian's PyTorch (tools/pytorch-weights/write_weights.py)
/// into artifacts/pytorch-weights, never committed, and written again whenever the script changes. Python 3 with
/// torch and torchvision is required: without it every test fails with what to install.
/// </summary>
[SetUpFixture]
public sealed class PyTorchFiles
{
    private const string Script = "tools/pytorch-weights/write_weights.py";

    private static string? _folder;

    /// <summary>The folder of the files (override with PRIVILEGED_ATTRIBUTION_PYTORCH_WEIGHTS to test files made
    /// elsewhere; such a folder is used as it is).</summary>
    public static string Folder => _folder ?? throw new InvalidOperationException("The set-up did not run.");

    [OneTimeSetUp]
    public void WriteFiles()
    {
        // A quiet LibTorch, as in the other test projects (NNPACK prints a line per convolution on some CPUs).
        CpuBackend.ConfigureForTraining(disableMkldnn: true);
        var fromEnvironment = Environment.GetEnvironmentVariable("PRIVILEGED_ATTRIBUTION_PYTORCH_WEIGHTS");
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            _folder = fromEnvironment;
            return;
        }

        var root = RepositoryRoot();
        var folder = Path.Combine(root, "artifacts", "pytorch-weights");
        var script = Path.Combine(root, Script);
        var hash = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(script))).ToLowerInvariant();
        if (ManifestHash(folder) != hash)
        {
            Write(script, folder);
            Assert.That(ManifestHash(folder), Is.EqualTo(hash), $"{Script} did not write {folder}/manifest.json");
        }

        _folder = folder;
    }

    public static string PathOf(string name)
    {
        var path = Path.Combine(Folder, name);
        Assert.That(path, Does.Exist, "a file the set-up should have written");
        return path;
    }

    /// <summary>A raw little-endian float32 file as a tensor of <paramref name="shape"/>.</summary>
    public static Tensor Floats(string name, params long[] shape)
    {
        var bytes = File.ReadAllBytes(PathOf(name));
        return tensor(MemoryMarshal.Cast<byte, float>(bytes).ToArray(), shape);
    }

    /// <summary>A raw little-endian float64 file as a tensor of <paramref name="shape"/>.</summary>
    public static Tensor Doubles(string name, params long[] shape)
    {
        var bytes = File.ReadAllBytes(PathOf(name));
        return tensor(MemoryMarshal.Cast<byte, double>(bytes).ToArray(), shape);
    }

    /// <summary>The fixed input of the torchvision models, (2, 3, 64, 64).</summary>
    public static Tensor Input() => Floats("input.f32", 2, 3, 64, 64);

    /// <summary>PyTorch's eval-mode logits of <see cref="Input"/> for <paramref name="arch"/>, (2, 1000).</summary>
    public static Tensor Logits(string arch) => Floats($"{arch}.logits.f32", 2, 1000);

    /// <summary>The same in float64: PyTorch's model and input converted to float64.</summary>
    public static Tensor Logits64(string arch) => Doubles($"{arch}.logits.f64", 2, 1000);

    /// <summary>A copy of <paramref name="name"/> in a fresh temporary folder (deleted by the caller), for tests that
    /// damage or rename a file.</summary>
    public static string CopyToTemporary(string name, string? newName = null)
    {
        var folder = Directory.CreateTempSubdirectory("pretrained-weights-").FullName;
        var path = Path.Combine(folder, newName ?? name);
        File.Copy(PathOf(name), path);
        return path;
    }

    private static string? ManifestHash(string folder)
    {
        var manifest = Path.Combine(folder, "manifest.json");
        if (!File.Exists(manifest))
        {
            return null;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(manifest));
        return document.RootElement.TryGetProperty("script_sha256", out var hash) ? hash.GetString() : null;
    }

    private static void Write(string script, string folder)
    {
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var install = "Install Debian's or Ubuntu's PyTorch for Python 3: 'sudo apt-get install -y python3-torch " +
            "python3-torchvision' (scripts/setup.sh does), or set PRIVILEGED_ATTRIBUTION_PYTORCH_WEIGHTS to a " +
            $"folder written by {Script}.";
        var (check, checkError) = Run(python, ["-c", "import torch, torchvision"], TimeSpan.FromMinutes(2));
        if (check != 0)
        {
            Assert.Fail($"The PretrainedWeights tests compare with files written by PyTorch at set-up, but " +
                $"'{python} -c \"import torch, torchvision\"' failed ({checkError.Trim()}). {install}");
        }

        // Written beside the final folder and moved in whole, so that an interrupted run leaves no half folder.
        var temporary = $"{folder}.{Environment.ProcessId}.tmp";
        if (Directory.Exists(temporary))
        {
            Directory.Delete(temporary, recursive: true);
        }

        var (status, error) = Run(python, [script, temporary], TimeSpan.FromMinutes(10));
        if (status != 0)
        {
            Assert.Fail($"{Script} failed (exit {status}): {error.Trim()}");
        }

        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.Move(temporary, folder);
    }

    private static (int Status, string Error) Run(string program, string[] arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                return (-1, $"timed out after {timeout}");
            }

            return (process.ExitCode, error.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, $"{program} could not be started: {e.Message}");
        }
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (directory is not null &&
               !File.Exists(Path.Combine(directory.FullName, "Directory.Packages.props")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Repository root not found.");
    }
}
