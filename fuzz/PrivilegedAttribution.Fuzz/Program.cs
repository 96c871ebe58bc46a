using PrivilegedAttribution.Fuzz;
using SharpFuzz;

// PrivilegedAttribution.Fuzz list                   the targets
// PrivilegedAttribution.Fuzz TARGET                 one target under afl-fuzz (scripts/fuzz.sh); alone, one input
//                                                   read from standard input
// PrivilegedAttribution.Fuzz TARGET --replay PATH…  the target on each file (folders: every file in them), e.g. the
//                                                   seeds or afl-fuzz's crashes; exit code 1 when one is a finding
// PrivilegedAttribution.Fuzz image --write-seeds DIR  JPEG and WebP seeds (ImageSeeds)
if (args is ["list"])
{
    foreach (var each in FuzzTargets.All)
    {
        Console.WriteLine($"{each.Name,-16}{each.Description}");
    }

    return 0;
}

if (args is ["image", "--write-seeds", var seedFolder])
{
    ImageSeeds.Write(seedFolder);
    return 0;
}

if (args.Length == 0 || FuzzTargets.Find(args[0]) is not { } target)
{
    Console.Error.WriteLine($"usage: PrivilegedAttribution.Fuzz list | TARGET [--replay PATH...]; targets: " +
        string.Join(", ", FuzzTargets.All.Select(t => t.Name)));
    return 2;
}

var harness = new FuzzHarness(target);
try
{
    if (args.Length > 1 && args[1] == "--replay")
    {
        return Replay.Run(harness, args.Skip(2));
    }

    // Out of process: an input that overflows the stack or runs past afl-fuzz's time limit kills a child process,
    // which is restarted, instead of the fork server.
    Fuzzer.OutOfProcess.Run(stream =>
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        harness.Execute(buffer.ToArray());
    });
    return 0;
}
finally
{
    Directory.Delete(harness.Folder, recursive: true);
}
