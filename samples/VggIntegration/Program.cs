// VGG-11-BN + PAL in an ordinary TorchSharp training loop.
//
// The model is trained twice, with the plain loop and with PAL at two convolutional blocks, on decoyed digits or,
// with --faces, on a face folder (RAF-DB basic layout or a CSV; 68 landmarks, predicted where missing); --weights
// PATH fine-tunes from torchvision's ImageNet weights exported to a TorchSharp state dict. The loops, with every
// changed line marked "// PAL", are in samples/SampleSupport/PlainVersusPal.cs. The facial-expression pipeline with
// per-class metrics and every dataset layout is samples/FacialExpression (--arch vgg11_bn).
using PrivilegedAttribution;
using PrivilegedAttribution.Samples;
using TorchSharp;

// Allocator keeps freed memory (no page faults per step), NNPACK off (log flood), oneDNN off on AVX-512 (NaN bug).
CpuBackend.ConfigureForTraining();

// VGG names its layers by position in `features`: 13 is the ReLU after the fourth convolution (8×8 at 32×32
// input), 20 the ReLU after the sixth (4×4). The defaults, chosen on the validation split (README, "The integration
// samples"), are the ResNet sample's data with fewer digits and epochs (VGG-11-BN's 129 M parameters, most of them in
// its 4096-wide classifier, make a step several times dearer) and Adam at 1e-4: at 1e-3 the classifier diverges
// in the first epoch (cross-entropy ~20) and the model stays at chance.
return IntegrationCommand.Invoke(args,
    "VGG-11-BN trained with and without PAL on decoyed digits; prints accuracy and where each model looks, writes " +
    "training curves and attribution overlays.",
    new IntegrationOptions(Data: "samples/DecoyMnist/data/mnist", TrainSize: 600, ValidationSize: 300,
        TestSize: 300, Epochs: 4, ImageSize: 32, BatchSize: 32, LearningRate: 1e-4, PalWeight: 3,
        Output: "samples/VggIntegration/out", Threads: 1, Decoy: DecoyKind.ColourFrame, DecoySize: 1,
        DecoyFree: 0.05),
    options => PlainVersusPal.Run("VGG-11-BN", classes => torchvision.models.vgg11_bn(num_classes: classes),
        head: "classifier.6",
        [
            new PalLayer("features.13", Weight: 1.0),
            new PalLayer("features.20", Weight: 1.0, ChannelStrategy.FirstFraction(0.5)),
        ],
        overlayLayer: "features.13", fileStem: "vgg11bn", options));
