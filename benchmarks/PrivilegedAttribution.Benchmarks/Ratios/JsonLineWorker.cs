using System.Diagnostics;
using System.Text.Json.Nodes;

namespace PrivilegedAttribution.Benchmarks.Ratios;

/// <summary>
/// A child process that executes one command at a time: the parent writes a JSON object per line to its standard
/// input and reads one JSON line back from its standard output (an answer with "error" stops the parent with that
/// message). While one worker runs, the others wait on their pipes and use no CPU, so that a driver can interleave
/// the steps of several processes: PyTorch's (<see cref="PyTorchWorker"/>, whose side of the protocol is
/// <c>serve()</c> in benchmarks/pytorch/pal_step.py) or this program's own under process-wide settings that cannot be
/// undone, such as the allocator's (<see cref="Investigations.Backend.BackendDriver"/>, whose side is
/// <see cref="Serve"/>).
/// </summary>
public sealed class JsonLineWorker : IDisposable
{
    private readonly Process _process;
    private readonly string _name;

    private JsonLineWorker(Process process, string name)
    {
        _process = process;
        _name = name;
    }

    /// <summary>Starts <paramref name="file"/> with <paramref name="arguments"/>; its standard error goes straight to
    /// ours (warnings, progress).</summary>
    public static JsonLineWorker Start(string file, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start.");
        return new JsonLineWorker(process, $"{Path.GetFileName(file)} {string.Join(' ', start.ArgumentList)}");
    }

    /// <summary>Sends <paramref name="command"/> and waits for the answer.</summary>
    /// <exception cref="InvalidOperationException">The worker failed or stopped.</exception>
    public JsonNode Ask(JsonObject command)
    {
        _process.StandardInput.WriteLine(command.ToJsonString());
        _process.StandardInput.Flush();
        while (true)
        {
            var line = _process.StandardOutput.ReadLine() ?? throw new InvalidOperationException(
                $"The worker '{_name}' stopped without answering (see its messages above).");
            if (!line.StartsWith('{'))
            {
                // Something in the worker wrote to its standard output: show it, keep waiting for the answer.
                Console.Error.WriteLine(line);
                continue;
            }

            var answer = JsonNode.Parse(line) ?? throw new InvalidOperationException($"Bad answer: {line}");
            if (answer["error"] is { } error)
            {
                throw new InvalidOperationException($"The worker '{_name}' failed: {error}");
            }

            return answer;
        }
    }

    /// <summary>Asks the worker to quit (killing it after 10 s).</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.WriteLine("{\"cmd\": \"quit\"}");
                _process.StandardInput.Flush();
                if (!_process.WaitForExit(10_000))
                {
                    _process.Kill();
                }
            }
        }
        catch (IOException)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    /// <summary>
    /// The worker's side, in this process: answers each command line on the standard input with
    /// <paramref name="answer"/> until "quit". An exception becomes an "error" answer, which stops the parent with
    /// its message. Whatever else writes to the standard output meanwhile is sent to the standard error, so that the
    /// answers stay one per line.
    /// </summary>
    public static void Serve(Func<JsonObject, JsonObject> answer)
    {
        var answers = Console.Out;
        Console.SetOut(Console.Error);
        while (Console.In.ReadLine() is { } line)
        {
            var command = JsonNode.Parse(line)?.AsObject() ?? new JsonObject();
            if ((string?)command["cmd"] == "quit")
            {
                answers.WriteLine("{\"bye\": true}");
                answers.Flush();
                return;
            }

            JsonObject reply;
            try
            {
                reply = answer(command);
            }
            catch (Exception e)
            {
                reply = new JsonObject { ["error"] = $"{e.GetType().Name}: {e.Message}" };
            }

            answers.WriteLine(reply.ToJsonString());
            answers.Flush();
        }
    }
}
