using NUnit.Framework.Interfaces;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Tests;

/// <summary>
/// Seeds LibTorch's global generator before every test, so that each test draws the same random numbers whatever
/// ran before it (a filtered run, another order, a new test elsewhere): a test that passes once passes always.
/// Applied to the whole assembly in <see cref="TestEnvironment"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class SeedEachTestAttribute : Attribute, ITestAction
{
    /// <summary>The seed every test starts from (the paper's arXiv date).</summary>
    public const long Seed = 20220324;

    /// <inheritdoc />
    public ActionTargets Targets => ActionTargets.Test;

    /// <inheritdoc />
    public void BeforeTest(ITest test) => manual_seed(Seed);

    /// <inheritdoc />
    public void AfterTest(ITest test)
    {
    }
}
