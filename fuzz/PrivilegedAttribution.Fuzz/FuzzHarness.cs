namespace PrivilegedAttribution.Fuzz;

/// <summary>Runs a target on one input: expected exceptions are swallowed, anything else propagates (a crash for
/// the fuzzer), and the managed bytes allocated are held against the target's budget.</summary>
internal sealed class FuzzHarness
{
    private readonly FuzzTarget _target;
    private readonly string _folder;

    public FuzzHarness(FuzzTarget target)
    {
        _target = target;
        _folder = Path.Combine(Path.GetTempPath(), $"privileged-attribution-fuzz-{target.Name}-{Environment.ProcessId}");
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }

        Directory.CreateDirectory(_folder);
        target.Prepare(_folder);
    }

    /// <summary>The scratch folder of this process's inputs.</summary>
    public string Folder => _folder;

    /// <summary>Runs the target; returns the expected exception it threw, or null when it returned.</summary>
    /// <exception cref="FuzzFindingException">The input allocated more than the target's budget, or the target
    /// found a broken invariant.</exception>
    public Exception? Execute(byte[] input)
    {
        var before = GC.GetTotalAllocatedBytes(precise: false);
        Exception? expected = null;
        try
        {
            _target.Run(input, _folder);
        }
        catch (Exception e) when (e is not FuzzFindingException && _target.IsExpected(e))
        {
            expected = e;
        }

        // The non-precise count lags by at most an allocation context per thread (a few kilobytes), far below the
        // budget's constant part.
        var allocated = GC.GetTotalAllocatedBytes(precise: false) - before;
        var budget = _target.AllocationBudget(input.Length);
        if (allocated > budget)
        {
            throw new FuzzFindingException($"{_target.Name}: an input of {input.Length} bytes allocated {allocated} " +
                $"bytes, over the budget of {budget} ({(expected is null ? "it was accepted" : expected.Message)}).");
        }

        return expected;
    }
}
