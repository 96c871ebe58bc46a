// VGG-11-BN + PAL in an ordinary TorchSharp training loop.
//
// The model is trained twice, with the plain loop and with PAL at two convolutional blocks, on decoyed digits or,
// with --faces, on a face folder (RAF-DB basic layout or a CSV; 68 landmarks, predicted where missing). The loops,
// with every changed line marked "// PAL", are in samples/SampleSupport/PlainVersusPal.cs. The facial-expression
// pipeline with per-class metrics and every dataset layout is samples/FacialExpression (--arch vgg11_bn).
using PrivilegedAttribution;
using PrivilegedAttribution.Samples;
using TorchSharp;

// Allocator keeps freed memory (no page faults per step), NNPACK off (log flood), oneDNN off on AVX-512 (NaN bug).
CpuBackend.ConfigureForTraining();

// VGG names its layers by position in `features`: 13 is the ReLU after the fourth convolution (8×8 at 32×32
// input), 20 the ReLU after the sixth (4×4). VGG-11-BN is trained from scratch here and its 4096-wide classifier
// needs far more than a few CPU minutes: with `-- --train-size 1000 --epochs 3` it reached 24.7 % (plain) and
// 19.4 % (PAL) on lying decoys, so this sample shows the integration and the overlays, not an accuracy gain.
return IntegrationCommand.Invoke(args,
    "VGG-11-BN trained with and without PAL on decoyed digits; writes attribution overlays.",
    new IntegrationOptions(Data: "samples/DecoyMnist/data/mnist", TrainSize: 600, TestSize: 300, Epochs: 2,
        ImageSize: 32, LearningRate: 1e-3, Output: "samples/VggIntegration/out", Threads: 1),
    options => PlainVersusPal.Run("VGG-11-BN", classes => torchvision.models.vgg11_bn(num_classes: classes),
        [
            new PalLayer("features.13", Weight: 1.0),
            new PalLayer("features.20", Weight: 1.0, ChannelStrategy.FirstFraction(0.5)),
        ],
        overlayLayer: "features.20", fileStem: "vgg11bn", options));
