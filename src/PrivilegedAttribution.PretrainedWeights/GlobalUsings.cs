// What nearly every file of the package uses: TorchSharp and its torch functions.
global using TorchSharp;
global using static TorchSharp.torch;
