// VGG-11-BN + PAL in an ordinary TorchSharp training loop.
//
// The model is trained twice on decoyed digits, with the plain loop and with PAL at two convolutional blocks; the
// loops themselves, with every changed line marked "// PAL", are in samples/SampleSupport/PlainVersusPal.cs. For
// faces (68 landmarks, RAF-DB / AffectNet / CSV folders) see samples/FacialExpression (--arch vgg11_bn).
using PrivilegedAttribution;
using PrivilegedAttribution.Samples;
using TorchSharp;

CpuBackend.SetNnpackEnabled(false); // LibTorch otherwise prints "Could not initialize NNPACK" per convolution

// VGG names its layers by position in `features`: 13 is the ReLU after the fourth convolution (16×16 at
// 64×64 input), 20 the ReLU after the sixth (8×8). A smaller learning rate than ResNet's: VGG's 4096-wide classifier
// diverges at Adam's 10⁻³ on a few hundred images.
return IntegrationCommand.Invoke(args,
    "VGG-11-BN trained with and without PAL on decoyed digits; writes attribution overlays.",
    new IntegrationOptions(Data: "samples/DecoyMnist/data/mnist", TrainSize: 600, TestSize: 300, Epochs: 2,
        ImageSize: 64, LearningRate: 1e-4, Output: "samples/VggIntegration/out", Threads: 1),
    options => PlainVersusPal.Run("VGG-11-BN", () => torchvision.models.vgg11_bn(num_classes: 10),
        [
            new PalLayer("features.13", Weight: 1.0),
            new PalLayer("features.20", Weight: 1.0, ChannelStrategy.FirstFraction(0.5)),
        ],
        overlayLayer: "features.20", fileStem: "vgg11bn", options));
