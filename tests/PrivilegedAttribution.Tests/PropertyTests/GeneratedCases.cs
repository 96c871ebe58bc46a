using CsCheck;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Tests.PropertyTests;

/// <summary>
/// Runs a property over generated cases, the same cases in every run: case i comes from the fixed seed
/// <c>PCG(stream, i)</c>. CsCheck varies its cases from run to run once a seed is given, so each case is one
/// seeded sample; when one fails, CsCheck is run again from the failing seed to shrink it, and reports the
/// smallest failing case it finds with the seed that reproduces it.
/// </summary>
internal static class GeneratedCases
{
    /// <summary>How many cases each property checks unless it asks for another number.</summary>
    public const int DefaultCount = 100;

    /// <summary>Checks <paramref name="property"/> (which throws on failure) on <paramref name="count"/> cases of
    /// <paramref name="gen"/>; <paramref name="stream"/> tells the properties' case sequences apart.</summary>
    public static void Check<T>(Gen<T> gen, Action<T> property, uint stream, int count = DefaultCount)
    {
        for (var i = 0; i < count; i++)
        {
            var seed = new PCG(stream, (ulong)i).ToString();
            try
            {
                gen.Sample(property, seed: seed, iter: 1, threads: 1);
            }
            catch (Exception)
            {
                // Shrink: CsCheck starts from the failing seed and keeps the smallest failing case it finds.
                gen.Sample(property, seed: seed, iter: 2_000, threads: 1);
                throw;
            }
        }
    }

    /// <summary>A float64 tensor of <paramref name="shape"/> drawn from a normal distribution by a generator
    /// seeded with <paramref name="seed"/> (so that CsCheck shrinks the seed and the shape, not the values).
    /// </summary>
    public static Tensor Normal(long seed, params long[] shape) =>
        randn(shape, ScalarType.Float64, generator: new Generator((ulong)seed));

    /// <summary>Like <see cref="Normal"/>, uniform in [0, 1).</summary>
    public static Tensor Uniform(long seed, params long[] shape) =>
        rand(shape, ScalarType.Float64, generator: new Generator((ulong)seed));

    /// <summary>A seed for <see cref="Normal"/> and <see cref="Uniform"/>.</summary>
    public static Gen<long> Seed { get; } = Gen.Long[0, 1_000_000];

    /// <summary>The channel strategies, <see cref="ChannelStrategy.FirstFraction"/> with a generated fraction.
    /// </summary>
    public static Gen<ChannelStrategy> Strategy { get; } = Gen.Int[0, 2].SelectMany(kind => kind switch
    {
        0 => Gen.Const(ChannelStrategy.Mean),
        1 => Gen.Const(ChannelStrategy.AllChannels),
        _ => Gen.Double[0.05, 1.0].Select(ChannelStrategy.FirstFraction),
    });
}
