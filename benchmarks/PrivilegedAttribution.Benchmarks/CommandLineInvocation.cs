using System.CommandLine;

namespace PrivilegedAttribution.Benchmarks;

/// <summary>
/// How both benchmark programs run their System.CommandLine commands: a command line that does not parse prints its
/// errors and a pointer to <c>--help</c> on standard error and exits with <see cref="UsageExitCode"/>. (The landmark
/// benchmarks compile this file in: they must not reference this program, which brings LibTorch.)
/// </summary>
public static class CommandLineInvocation
{
    /// <summary>The exit code of a command line that does not parse.</summary>
    public const int UsageExitCode = 2;

    /// <summary>Parses <paramref name="args"/> with <paramref name="command"/> and runs it; returns its exit code, or
    /// <see cref="UsageExitCode"/> with the errors on standard error.</summary>
    public static int Invoke(Command command, string[] args)
    {
        ArgumentNullException.ThrowIfNull(command);
        var result = command.Parse(args);
        if (result.Errors.Count == 0)
        {
            return result.Invoke();
        }

        foreach (var error in result.Errors)
        {
            Console.Error.WriteLine(error.Message);
        }

        Console.Error.WriteLine("Run with --help for the commands and their options.");
        return UsageExitCode;
    }
}
