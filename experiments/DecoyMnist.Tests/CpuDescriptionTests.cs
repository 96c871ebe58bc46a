using PrivilegedAttribution.Benchmarks.Ratios;

namespace PrivilegedAttribution.Experiments.DecoyMnist.Tests;

/// <summary>The CPU line every benchmark report and the experiment's reports print: ratios and wall times move with
/// the CPU's vector instruction set, so the line must name it right, and must not claim a set the CPU lacks.</summary>
public sealed class CpuDescriptionTests
{
    private static readonly string[] TwoAvx2Processors =
    [
        "processor\t: 0", "vendor_id\t: AuthenticAMD", "cpu family\t: 25", "model\t\t: 1",
        "model name\t: AMD EPYC Processor", "flags\t\t: fpu sse2 avx fma avx2 bmi2", "",
        "processor\t: 1", "cpu family\t: 25", "model\t\t: 1", "model name\t: AMD EPYC Processor",
        "flags\t\t: fpu sse2 avx fma avx2 bmi2 avx512f", "",
    ];

    [Test]
    public void NamesTheFirstProcessorsModelNumbersAndWidestSet()
    {
        var cpu = CpuDescription.Parse(TwoAvx2Processors);

        Assert.That(cpu.ToString(), Is.EqualTo("AMD EPYC Processor (family 25, model 1; AVX2: avx2)"));
        Assert.That(cpu.WidestIsa, Is.EqualTo("AVX2"), "the second processor's entry is not read");
    }

    [TestCase("fpu avx2 avx512f avx512bw", "AVX-512", "avx2 avx512f")]
    [TestCase("avx2 avx512f avx512_bf16", "AVX-512 BF16", "avx2 avx512f avx512_bf16")]
    [TestCase("avx2 avx512f avx512_bf16 amx_tile amx_bf16 amx_int8", "AMX",
        "avx2 avx512f avx512_bf16 amx_tile amx_bf16 amx_int8")]
    [TestCase("fpu sse2 avx", "below AVX2", "")]
    public void TheWidestSetFollowsTheFlags(string flags, string widest, string listed)
    {
        var cpu = CpuDescription.Parse(["model name\t: Some CPU", $"flags\t\t: {flags}"]);

        Assert.That(cpu.WidestIsa, Is.EqualTo(widest));
        Assert.That(string.Join(' ', cpu.VectorFlags), Is.EqualTo(listed));
    }

    [Test]
    public void SaysUnknownRatherThanGuessingWithoutCpuinfo()
    {
        var cpu = CpuDescription.Parse([]);

        Assert.That(cpu.ToString(), Is.EqualTo("unknown CPU (unknown)"));
        Assert.That(cpu.FlagsKnown, Is.False);
    }
}
