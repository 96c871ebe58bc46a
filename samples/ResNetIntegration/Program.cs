// ResNet-18 + PAL in an ordinary TorchSharp training loop.
//
// The model is trained twice, with the plain loop and with PAL at layer2 and layer3, on decoyed digits or, with
// --faces, on a face folder (RAF-DB basic layout or a CSV; 68 landmarks, predicted where missing); --weights PATH
// fine-tunes from torchvision's ImageNet weights exported to a TorchSharp state dict. The loops, with every changed
// line marked "// PAL", are in samples/SampleSupport/PlainVersusPal.cs. The facial-expression pipeline with
// per-class metrics and every dataset layout is samples/FacialExpression.
using PrivilegedAttribution;
using PrivilegedAttribution.Samples;
using TorchSharp;

// Allocator keeps freed memory (no page faults per step), NNPACK off (log flood), oneDNN off on AVX-512 (NaN bug).
CpuBackend.ConfigureForTraining();

// The defaults, chosen on the validation split (README, "The integration samples"): 32×32 digits whose colour frame
// gives the label away in 95 % of the training digits, and lies at validation and test time; PAL at λ = 10.
return IntegrationCommand.Invoke(args,
    "ResNet-18 trained with and without PAL on decoyed digits; prints accuracy and where each model looks, writes " +
    "training curves and attribution overlays.",
    new IntegrationOptions(Data: "samples/DecoyMnist/data/mnist", TrainSize: 1000, ValidationSize: 300,
        TestSize: 500, Epochs: 6, ImageSize: 32, BatchSize: 32, LearningRate: 1e-3, PalWeight: 10,
        Output: "samples/ResNetIntegration/out", Threads: 1, Decoy: DecoyKind.ColourFrame, DecoySize: 1,
        DecoyFree: 0.05),
    options => PlainVersusPal.Run("ResNet-18", classes => torchvision.models.resnet18(num_classes: classes),
        head: "fc",
        [
            new PalLayer("layer2", Weight: 1.0),                                        // mean of all channels
            new PalLayer("layer3", Weight: 1.0, ChannelStrategy.FirstFraction(0.5)),    // the paper's "mean of half"
        ],
        overlayLayer: "layer2", fileStem: "resnet18", options));
