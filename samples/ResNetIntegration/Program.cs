// ResNet-18 + PAL in an ordinary TorchSharp training loop.
//
// The model is trained twice, with the plain loop and with PAL at layer2 and layer3, on decoyed digits or, with
// --faces, on a face folder (RAF-DB basic layout or a CSV; 68 landmarks, predicted where missing). The loops, with
// every changed line marked "// PAL", are in samples/SampleSupport/PlainVersusPal.cs. The facial-expression
// pipeline with per-class metrics and every dataset layout is samples/FacialExpression.
using PrivilegedAttribution;
using PrivilegedAttribution.Samples;
using TorchSharp;

// Allocator keeps freed memory (no page faults per step), NNPACK off (log flood), oneDNN off on AVX-512 (NaN bug).
CpuBackend.ConfigureForTraining();

return IntegrationCommand.Invoke(args,
    "ResNet-18 trained with and without PAL on decoyed digits; writes attribution overlays.",
    new IntegrationOptions(Data: "samples/DecoyMnist/data/mnist", TrainSize: 1000, TestSize: 500, Epochs: 2,
        ImageSize: 64, LearningRate: 1e-3, Output: "samples/ResNetIntegration/out", Threads: 1),
    options => PlainVersusPal.Run("ResNet-18", classes => torchvision.models.resnet18(num_classes: classes),
        [
            new PalLayer("layer2", Weight: 1.0),                                        // mean of all channels
            new PalLayer("layer3", Weight: 1.0, ChannelStrategy.FirstFraction(0.5)),    // the paper's "mean of half"
        ],
        overlayLayer: "layer3", fileStem: "resnet18", options));
