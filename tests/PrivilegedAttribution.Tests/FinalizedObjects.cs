using System.Diagnostics.Tracing;

namespace PrivilegedAttribution.Tests;

/// <summary>
/// Counts the objects the runtime finalizes, by type, from its own FinalizeObject events (the GC keyword at verbose
/// level): a dispose scope that misses a native object shows up here as one finalization of that object's type.
/// </summary>
internal sealed class FinalizedObjects : EventListener
{
    private const string RuntimeProvider = "Microsoft-Windows-DotNETRuntime";
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly Dictionary<nint, int> _byTypeHandle = [];
    private long _events;

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == RuntimeProvider)
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName != "FinalizeObject" || eventData.Payload is not { Count: > 0 } payload)
        {
            return;
        }

        // TypeID is the address of the type's method table, which is what Type.TypeHandle.Value holds.
        var typeId = payload[0] switch
        {
            nint pointer => pointer,
            ulong value => (nint)value,
            var other => (nint)Convert.ToInt64(other, System.Globalization.CultureInfo.InvariantCulture),
        };
        lock (_byTypeHandle)
        {
            _byTypeHandle[typeId] = _byTypeHandle.GetValueOrDefault(typeId) + 1;
            _events++;
        }
    }

    /// <summary>Collects, runs the pending finalizers, waits until their events have arrived (the runtime delivers
    /// them asynchronously), and returns how many objects of <paramref name="type"/> were finalized since the last
    /// drain.</summary>
    internal int Drain(Type type)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        WaitForQuiet();
        lock (_byTypeHandle)
        {
            var count = _byTypeHandle.GetValueOrDefault(type.TypeHandle.Value);
            _byTypeHandle.Clear();
            return count;
        }
    }

    /// <summary>Waits until no event has arrived for a second (at most 20 seconds).</summary>
    private void WaitForQuiet()
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        var last = Interlocked.Read(ref _events);
        var quietSince = DateTime.UtcNow;
        while (DateTime.UtcNow < deadline)
        {
            Thread.Sleep(100);
            var now = Interlocked.Read(ref _events);
            if (now != last)
            {
                (last, quietSince) = (now, DateTime.UtcNow);
            }
            else if (DateTime.UtcNow - quietSince > TimeSpan.FromSeconds(1))
            {
                return;
            }
        }
    }
}
