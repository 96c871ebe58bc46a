namespace PrivilegedAttribution;

/// <summary>What a weight file says about one tensor before its data is read: its dtype and shape.</summary>
internal sealed record TensorHeader(ScalarType DType, long[] Shape);
