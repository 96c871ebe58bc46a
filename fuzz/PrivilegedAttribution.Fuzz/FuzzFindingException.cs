namespace PrivilegedAttribution.Fuzz;

/// <summary>A result that breaks the API's contract (an invariant of the result, or an allocation beyond the
/// target's budget): thrown out of the harness so that the fuzzer records the input as a crash.</summary>
internal sealed class FuzzFindingException(string message, Exception? inner = null) : Exception(message, inner);
