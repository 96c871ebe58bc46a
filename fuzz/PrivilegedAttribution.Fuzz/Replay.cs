namespace PrivilegedAttribution.Fuzz;

/// <summary>Runs a target on saved inputs and says what each did: accepted, refused with an expected exception, or
/// a finding (with its stack trace).</summary>
internal static class Replay
{
    /// <summary>Returns 1 when some input is a finding, else 0.</summary>
    public static int Run(FuzzHarness harness, IEnumerable<string> paths)
    {
        var files = paths.SelectMany<string, string>(p => Directory.Exists(p)
            ? Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            : [p]).ToArray();
        var findings = 0;
        foreach (var file in files)
        {
            try
            {
                var expected = harness.Execute(File.ReadAllBytes(file));
                Console.WriteLine(expected is null
                    ? $"accepted  {file}"
                    : $"refused   {file}: {expected.GetType().Name}: {FirstLine(expected.Message)}");
            }
            catch (Exception e)
            {
                findings++;
                Console.WriteLine($"FINDING   {file}: {e}");
            }
        }

        Console.WriteLine($"{files.Length} input(s), {findings} finding(s)");
        return findings > 0 ? 1 : 0;
    }

    private static string FirstLine(string text) => text.Split('\n')[0];
}
