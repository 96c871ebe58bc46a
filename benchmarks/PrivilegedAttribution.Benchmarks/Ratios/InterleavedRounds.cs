namespace PrivilegedAttribution.Benchmarks.Ratios;

/// <summary>
/// Runs contenders in rounds so that every ratio compares two measurements taken minutes apart at most, on a machine
/// whose speed drifts (±30 % between runs here): each round runs every contender once, a group's contenders back to
/// back (their order reversed every other round), the order of the groups rotating from round to round. Warm-up
/// rounds come first and are not kept.
/// </summary>
public static class InterleavedRounds
{
    /// <summary>Runs the profile's warm-up rounds, then its measured rounds, and returns each contender's timings,
    /// one per measured round (index i of every list is round i).</summary>
    /// <param name="groups">Contenders compared directly with each other (e.g. the same step in two frameworks).
    /// </param>
    /// <param name="profile">Its <see cref="BenchmarkProfile.Rounds"/> and <see cref="BenchmarkProfile.WarmupRounds"/>.
    /// </param>
    /// <param name="name">Names the progress lines written to the standard error.</param>
    public static Dictionary<string, List<StepTiming>> Run(IReadOnlyList<Contender[]> groups,
        BenchmarkProfile profile, string name)
    {
        var rounds = profile.Rounds;
        Console.Error.WriteLine($"{name}: {rounds} rounds of {groups.Sum(g => g.Length)} contenders " +
                                $"({profile.WarmupRounds} warm-up rounds first)");
        var times = groups.SelectMany(g => g).ToDictionary(c => c.Key, _ => new List<StepTiming>());
        for (var round = -profile.WarmupRounds; round < rounds; round++)
        {
            var rotation = ((round % groups.Count) + groups.Count) % groups.Count;
            foreach (var group in groups.Skip(rotation).Concat(groups.Take(rotation)))
            {
                foreach (var contender in round % 2 == 0 ? group : group.Reverse())
                {
                    contender.Prepare();
                    var timing = contender.Time();
                    if (round >= 0)
                    {
                        times[contender.Key].Add(timing);
                    }
                }
            }

            if (round >= 0)
            {
                Console.Error.WriteLine($"  round {round + 1}/{rounds}: " + string.Join(", ",
                    times.Where(t => t.Value.Count > 0).Select(t => $"{t.Key} {t.Value[^1].WallMilliseconds:F0}")));
            }
        }

        return times;
    }
}
