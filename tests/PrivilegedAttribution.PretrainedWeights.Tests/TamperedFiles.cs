using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace PrivilegedAttribution.PretrainedWeightsTests;

/// <summary>Safetensors files that differ from a real one in a chosen way, written with TorchSharp.PyBridge's own
/// writer (not the reader under test) into a temporary folder.</summary>
internal static class TamperedFiles
{
    /// <summary>resnet18.pth's state dict (through a TorchVision.NET model that loaded it), changed by
    /// <paramref name="change"/>, saved as safetensors; the caller deletes the folder.</summary>
    public static string ResNet18(Action<Dictionary<string, Tensor>> change)
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.TorchVision("resnet18");
        PretrainedWeights.Load(model, PyTorchFiles.PathOf("resnet18.pth"));
        var state = model.state_dict().ToDictionary(e => e.Key, e => e.Value.detach().clone());
        change(state);
        var folder = Directory.CreateTempSubdirectory("pretrained-weights-").FullName;
        var path = Path.Combine(folder, "tampered.safetensors");
        Safetensors.SaveStateDict(path, state);
        return path;
    }

    /// <summary>Deletes the temporary folder that holds <paramref name="path"/>.</summary>
    public static void Delete(string path) => Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
}
