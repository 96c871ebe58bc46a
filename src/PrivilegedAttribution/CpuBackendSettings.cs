namespace PrivilegedAttribution;

/// <summary>What <see cref="CpuBackend.ConfigureForTraining"/> changed: each flag is true where the switch was
/// found and set (false on platforms without it, where nothing changed).</summary>
/// <param name="KeepsFreedMemory">glibc's allocator keeps freed memory (<see cref="CpuBackend.KeepFreedMemory"/>).
/// </param>
/// <param name="NnpackDisabled">NNPACK is off (<see cref="CpuBackend.SetNnpackEnabled"/>).</param>
/// <param name="MkldnnDisabled">oneDNN is off (<see cref="CpuBackend.SetMkldnnEnabled"/>).</param>
public sealed record CpuBackendSettings(bool KeepsFreedMemory, bool NnpackDisabled, bool MkldnnDisabled);
