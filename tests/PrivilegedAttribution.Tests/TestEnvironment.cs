using PrivilegedAttribution;
using PrivilegedAttribution.Tests;

[assembly: SeedEachTest]

// One process-wide set-up for every fixture: a quiet, exact LibTorch.
[SetUpFixture]
public sealed class TestEnvironment
{
    [OneTimeSetUp]
    public void ConfigureLibTorch()
    {
        // What every sample and benchmark does too: glibc keeps freed memory (no page faults per step), NNPACK off
        // (this CPU makes LibTorch print "Could not initialize NNPACK" for every convolution), and oneDNN off: its
        // convolution backward returns NaN at random on AVX-512 CPUs (OneDnnConvolutionBugTests), which made
        // the suite flake.
        var settings = CpuBackend.ConfigureForTraining();
        Assert.That(settings, Is.EqualTo(new CpuBackendSettings(true, true, true)), "a CPU switch was not found");
    }
}
