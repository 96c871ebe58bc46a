using static TorchSharp.torch;

namespace PrivilegedAttribution.Tests;

/// <summary>
/// Base of the fixtures that seed the global generator for their own models: each test's generator state is
/// restored afterwards, so that the random inputs of fixtures that run later (the finite-difference checks among
/// them) are what they would be without these.
/// </summary>
public abstract class SeededFixture
{
    private Tensor? _randomState;

    /// <summary>Saves the global generator's state.</summary>
    [SetUp]
    public void SaveRandomState() => _randomState = get_rng_state();

    /// <summary>Restores it.</summary>
    [TearDown]
    public void RestoreRandomState()
    {
        set_rng_state(_randomState!);
        _randomState!.Dispose();
    }
}
