// What nearly every file of the package uses: TorchSharp, its torch functions, and the shared checks and helpers.
global using TorchSharp;
global using static TorchSharp.torch;
global using static PrivilegedAttribution.BatchMath;
global using static PrivilegedAttribution.ExplicitScalars;
global using static PrivilegedAttribution.TensorChecks;
