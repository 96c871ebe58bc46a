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
        // As every sample and benchmark: glibc keeps freed memory (no page faults per step) and NNPACK is off (this
        // CPU makes LibTorch print "Could not initialize NNPACK" for every convolution). oneDNN is off on every CPU,
        // not only on AVX-512 ones: its convolution backward returns NaN at random there
        // (OneDnnConvolutionBugTests), which made the suite flake, and a test must be exact wherever CI runs.
        var settings = CpuBackend.ConfigureForTraining(disableMkldnn: true);
        Assert.That(settings, Is.EqualTo(new CpuBackendSettings(true, true, true)), "a CPU switch was not found");
    }
}
