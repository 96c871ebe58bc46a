using PrivilegedAttribution;
using TorchSharp;

// One process-wide set-up for every fixture: a quiet, deterministic LibTorch.
[SetUpFixture]
public sealed class TestEnvironment
{
    [OneTimeSetUp]
    public void SilenceAndSeed()
    {
        // This CPU makes LibTorch print "Could not initialize NNPACK" for every convolution.
        Assert.That(CpuBackend.SetNnpackEnabled(false), Is.True, "the NNPACK switch was not found in LibTorch");
        torch.manual_seed(20220324);
    }
}
