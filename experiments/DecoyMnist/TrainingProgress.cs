using Spectre.Console;

namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>
/// A progress bar per training run on an interactive terminal, and one plain line per finished run elsewhere (CI
/// logs, redirected output), so that the experiment's output stays readable in both.
/// </summary>
public static class TrainingProgress
{
    /// <summary>Runs <paramref name="work"/> with a reporter; the reporter's tasks are bars or log lines.</summary>
    public static T Run<T>(Func<IProgressReporter, T> work)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            return work(new LineReporter());
        }

        return AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context => work(new BarReporter(context)));
    }

    /// <summary>Hands out one task per training run.</summary>
    public interface IProgressReporter
    {
        /// <summary>Starts a task of <paramref name="steps"/> steps.</summary>
        IProgressTask Start(string description, int steps);
    }

    /// <summary>One training run.</summary>
    public interface IProgressTask
    {
        /// <summary>Advances by <paramref name="steps"/> and shows <paramref name="status"/> beside the name. The
        /// status is a function so that what it reads (e.g. a loss's <c>item()</c>, a device synchronisation) is only
        /// computed where it is shown.</summary>
        void Advance(int steps = 1, Func<string>? status = null);

        /// <summary>Prints a line of its own (e.g. an epoch's scores): above the bars on a terminal, in order
        /// elsewhere.</summary>
        void Report(string line);

        /// <summary>Marks the task done with a final status.</summary>
        void Finish(string status);
    }

    private sealed class BarReporter(ProgressContext context) : IProgressReporter
    {
        public IProgressTask Start(string description, int steps) =>
            new BarTask(context.AddTask(Markup.Escape(description), maxValue: steps), description);
    }

    private sealed class BarTask(ProgressTask task, string description) : IProgressTask
    {
        public void Advance(int steps = 1, Func<string>? status = null)
        {
            task.Increment(steps);
            if (status is not null)
            {
                task.Description = Markup.Escape($"{description}  {status()}");
            }
        }

        public void Report(string line) => AnsiConsole.MarkupLine(Markup.Escape($"{description}  {line}"));

        public void Finish(string status)
        {
            task.Value = task.MaxValue;
            task.Description = Markup.Escape($"{description}  {status}");
            task.StopTask();
        }
    }

    private sealed class LineReporter : IProgressReporter
    {
        public IProgressTask Start(string description, int steps) => new LineTask(description);
    }

    private sealed class LineTask(string description) : IProgressTask
    {
        public void Advance(int steps = 1, Func<string>? status = null)
        {
        }

        public void Report(string line) => Console.WriteLine($"{description}  {line}");

        public void Finish(string status) => Console.WriteLine($"{description}  {status}");
    }
}
