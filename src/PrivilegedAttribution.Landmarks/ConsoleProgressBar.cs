using PrivilegedAttribution.Landmarks.Datasets;

namespace PrivilegedAttribution.Landmarks;

/// <summary>A one-line text progress bar for landmark prediction, written to standard error (redrawn in place on
/// a terminal, one line per tenth otherwise, so logs stay short).</summary>
public sealed class ConsoleProgressBar : IProgress<LandmarkProgress>
{
    private readonly TextWriter _writer;
    private readonly string _label;
    private readonly bool _interactive;
    private int _lastTenth = -1;

    /// <summary>Creates a bar labelled <paramref name="label"/> on <paramref name="writer"/> (standard error by
    /// default).</summary>
    public ConsoleProgressBar(string label = "landmarks", TextWriter? writer = null)
    {
        _label = label;
        _writer = writer ?? Console.Error;
        _interactive = writer is null && !Console.IsErrorRedirected;
    }

    /// <inheritdoc />
    public void Report(LandmarkProgress value)
    {
        const int width = 30;
        var fraction = value.Total == 0 ? 1.0 : (double)value.Done / value.Total;
        var tenth = (int)(fraction * 10);
        if (!_interactive && tenth == _lastTenth && value.Done != value.Total)
        {
            return;
        }

        _lastTenth = tenth;
        var filled = (int)Math.Round(fraction * width);
        var rate = value.Elapsed.TotalSeconds > 0 ? value.Done / value.Elapsed.TotalSeconds : 0;
        var line = $"{_label} [{new string('#', filled)}{new string('.', width - filled)}] {value.Done}/{value.Total} " +
            $"({rate:F0} faces/s)";
        if (_interactive)
        {
            _writer.Write("\r" + line + (value.Done == value.Total ? Environment.NewLine : ""));
        }
        else
        {
            _writer.WriteLine(line);
        }
    }
}
