using PrivilegedAttribution.Landmarks.Datasets;
using Spectre.Console;

namespace PrivilegedAttribution.Samples;

/// <summary>
/// Renders <see cref="LandmarkCache.Complete"/>'s progress: a Spectre.Console bar on an interactive terminal, and one
/// line per tenth elsewhere (CI logs, redirected output), so that a long prediction run shows it is alive without
/// filling the log. The library only reports <see cref="LandmarkProgress"/>; how it looks is the sample's choice.
/// </summary>
public static class LandmarkProgressBar
{
    /// <summary>Runs <paramref name="work"/> with a progress receiver labelled
    /// <paramref name="description"/>.</summary>
    public static T Run<T>(string description, Func<IProgress<LandmarkProgress>, T> work)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            return work(new TenthLines(description));
        }

        return AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                // One step until the first report says how many faces there are; nothing is reported when every
                // landmark is already known, so the task is completed here in any case.
                var task = context.AddTask(Markup.Escape(description), maxValue: 1);
                var result = work(new Bar(task));
                task.Value = task.MaxValue;
                task.StopTask();
                return result;
            });
    }

    /// <summary>Moves a Spectre.Console task (thread-safe: reports come from the prediction's worker
    /// threads).</summary>
    private sealed class Bar(ProgressTask task) : IProgress<LandmarkProgress>
    {
        public void Report(LandmarkProgress value)
        {
            task.MaxValue = Math.Max(value.Total, 1);
            task.Value = value.Done;
        }
    }

    /// <summary>Prints the first report, each new tenth and the last one.</summary>
    private sealed class TenthLines(string description) : IProgress<LandmarkProgress>
    {
        private int _lastTenth = -1;

        public void Report(LandmarkProgress value)
        {
            var tenth = (int)(value.Fraction * 10);
            if (tenth == _lastTenth && value.Done != value.Total)
            {
                return;
            }

            _lastTenth = tenth;
            var rate = value.Elapsed.TotalSeconds > 0 ? value.Done / value.Elapsed.TotalSeconds : 0;
            Console.WriteLine($"{description}: {value.Done}/{value.Total} faces ({rate:F0} faces/s)");
        }
    }
}
