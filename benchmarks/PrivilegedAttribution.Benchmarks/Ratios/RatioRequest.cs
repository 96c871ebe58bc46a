using System.Globalization;

namespace PrivilegedAttribution.Benchmarks.Ratios;

/// <summary>What a <c>ratios</c> run measures beyond its profile: which suites, how many consecutive steps per timed
/// block, where the JSON result goes, and how the steps forget the last one's gradients.</summary>
/// <param name="Suites">The suites, run one after the other.</param>
/// <param name="StepsPerBlock">Consecutive steps per block; null: the profile's
/// <see cref="BenchmarkProfile.StepsPerBlock"/>.</param>
/// <param name="JsonPath">A file for the JSON result, or null for none.</param>
public sealed record RatioRequest(IReadOnlyList<RatioSuite> Suites, int? StepsPerBlock = null, string? JsonPath = null)
{
    /// <summary>Whether every timed step and memory probe zeroes the gradients in place (<c>--zero-grad
    /// in-place</c>, how the benchmarks ran before 2026-12-01) instead of dropping them
    /// (<see cref="Workloads.WorkloadOptions.ZeroGradInPlace"/>). The suites' extra in-place memory probes then add
    /// nothing and are left out.
    /// </summary>
    public bool ZeroGradInPlace { get; init; }

    /// <summary>The workload alone (<see cref="RatioSuite.ResNet18At112"/>), the profile's block size, no JSON.
    /// </summary>
    public static RatioRequest Default { get; } = new([RatioSuite.ResNet18At112]);

    /// <summary>The request that command-line values give: <c>--suites NAME[,NAME…]|all</c>,
    /// <c>--steps-per-block K</c>, <c>--json FILE</c> (each null when absent).</summary>
    /// <exception cref="ArgumentException">An unknown suite, or a block size that is not a positive integer.
    /// </exception>
    public static RatioRequest Parse(string? suites, string? stepsPerBlock, string? jsonPath)
    {
        int? block = null;
        if (stepsPerBlock is not null)
        {
            if (!int.TryParse(stepsPerBlock, NumberStyles.None, CultureInfo.InvariantCulture, out var k) || k < 1)
            {
                throw new ArgumentException($"--steps-per-block must be a positive integer; got '{stepsPerBlock}'.",
                    nameof(stepsPerBlock));
            }

            block = k;
        }

        return new RatioRequest(RatioSuite.Named(suites), block, jsonPath);
    }

    /// <summary>The block size under <paramref name="profile"/>.</summary>
    public int BlockSize(BenchmarkProfile profile) => StepsPerBlock ?? profile.StepsPerBlock;
}
