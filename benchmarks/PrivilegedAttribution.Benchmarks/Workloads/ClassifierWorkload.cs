using TorchSharp;
using static TorchSharp.torch;

namespace PrivilegedAttribution.Benchmarks.Workloads;

/// <summary>
/// A TorchVision classifier (or the Decoy MNIST experiment's CNN, <see cref="DigitCnn"/>) in training mode with one
/// fixed batch (images, labels, landmarks) and an SGD optimiser, able to run each <see cref="TrainingStep"/>. Only the
/// hooks of the step about to run are installed (<see cref="Prepare"/>), so that no step pays for another step's
/// tap.
/// </summary>
public sealed class ClassifierWorkload : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly optim.Optimizer _optimizer;
    private readonly HeatmapPrior _prior;
    private readonly Tensor _images;
    private readonly Tensor _imagesChannelsLast;
    private readonly Tensor _labels;
    private readonly Tensor _landmarks;
    private StepCase? _prepared;
    private PalObjective? _objective;
    private LayerTap? _tap;

    /// <summary>Builds the model, the batch and the optimiser (deterministic for a given seed).</summary>
    public ClassifierWorkload(WorkloadOptions options)
    {
        Options = options;
        manual_seed(options.Seed);
        _model = options.Model switch
        {
            "resnet18" => torchvision.models.resnet18(num_classes: options.Classes),
            "vgg11_bn" => torchvision.models.vgg11_bn(num_classes: options.Classes),
            "decoy-mnist-cnn" => DigitCnn.Create(options.Classes),
            _ => throw new ArgumentException(
                $"Unknown model '{options.Model}' (resnet18, vgg11_bn, decoy-mnist-cnn).", nameof(options)),
        };
        _model.train();
        // SGD with momentum, as in the PyTorch counterpart: the update is a small, fixed share of the step.
        _optimizer = optim.SGD(_model.parameters(), 1e-3, momentum: 0.9);
        _prior = new HeatmapPrior(options.Size, options.Size, options.Sigma);
        _images = randn(options.Batch, options.Channels, options.Size, options.Size);
        _imagesChannelsLast = ChannelsLast.Of(_images);
        _labels = randint(options.Classes, [options.Batch], dtype: ScalarType.Int64);
        _landmarks = rand(options.Batch, options.Landmarks, 2) * (options.Size - 1);
    }

    /// <summary>The workload's settings.</summary>
    public WorkloadOptions Options { get; }

    /// <summary>The model (training mode).</summary>
    public nn.Module<Tensor, Tensor> Model => _model;

    /// <summary>The batch's images (B,3,S,S).</summary>
    public Tensor Images => _images;

    /// <summary>The batch's labels (B).</summary>
    public Tensor Labels => _labels;

    /// <summary>The batch's landmarks (B,68,2) in input pixels.</summary>
    public Tensor Landmarks => _landmarks;

    /// <summary>The heatmap prior of the batch's image size.</summary>
    public HeatmapPrior Prior => _prior;

    /// <summary>The optimiser (SGD, momentum 0.9).</summary>
    public optim.Optimizer Optimizer => _optimizer;

    /// <summary>The tap installed by <see cref="Prepare"/> for <see cref="TrainingStep.PalStraightforward"/>.</summary>
    public LayerTap? Tap => _tap;

    /// <summary>Installs the hooks <paramref name="step"/> needs and removes the others. Not part of a timed
    /// step: call it before starting the clock.</summary>
    public void Prepare(StepCase step)
    {
        if (_prepared == step)
        {
            return;
        }

        RemoveHooks();
        var layer = new PalLayer(step.Layer, Options.Lambda);
        switch (step.Step)
        {
            case TrainingStep.Plain or TrainingStep.PlainChannelsLast:
                break;
            case TrainingStep.PalStraightforward:
                _tap = new LayerTap(_model, step.Layer);
                break;
            case TrainingStep.PalObjective or TrainingStep.PalObjectiveChannelsLast:
                _objective = new PalObjective(_model, [layer], _prior, Options.Method);
                break;
            case TrainingStep.PalObjectiveNoClone:
                _objective = new PalObjective(_model, [layer], _prior, Options.Method, cloneOutputs: false);
                break;
            case TrainingStep.PalClosedForm:
                _objective = new PalObjective(_model,
                    [layer with { Head = new GlobalPoolLinearHead(Options.LinearHead) }], _prior, Options.Method);
                break;
            case TrainingStep.PalFirstOrder:
                _objective = new PalObjective(_model, [layer with { SecondOrder = false }], _prior, Options.Method);
                break;
            case TrainingStep.GradCam or TrainingStep.GradCamFirstOrder:
                _objective = new PalObjective(_model,
                    [layer with { SecondOrder = step.Step == TrainingStep.GradCam }], _prior,
                    AttributionMethod.GradCam);
                break;
            case TrainingStep.ActivationPearson or TrainingStep.ActivationCosine:
                _objective = new PalObjective(_model,
                    [layer with { Normalization = step.Step == TrainingStep.ActivationCosine
                        ? PalNormalization.Cosine
                        : PalNormalization.Pearson }], _prior, AttributionMethod.Activation);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(step), step.Step, null);
        }

        _prepared = step;
    }

    /// <summary>One training step of the prepared kind, all its tensors freed before it returns.</summary>
    public void Run(StepCase step)
    {
        using var scope = NewDisposeScope();
        ZeroGrad();
        Loss(step).backward();
        _optimizer.step();
    }

    /// <summary>Forgets the previous step's gradients as <see cref="WorkloadOptions.ZeroGradInPlace"/> says.</summary>
    public void ZeroGrad()
    {
        if (Options.ZeroGradInPlace)
        {
            _optimizer.zero_grad();
        }
        else
        {
            _model.zero_grad(set_to_none: true);
        }
    }

    /// <summary>Forward and attribution of <paramref name="layer"/> with its graph, no backward: what the
    /// attribution alone costs.</summary>
    public Tensor Attribution(string layer)
    {
        Prepare(new StepCase(TrainingStep.PalStraightforward, layer));
        var logits = _model.call(_images);
        return PalFunctional.attribution_map(logits, _tap!.TakeActivation(), _labels, Options.Method);
    }

    /// <summary>The step's scalar objective, with its graph, in the caller's dispose scope.</summary>
    public Tensor Loss(StepCase step)
    {
        if (_prepared != step)
        {
            throw new InvalidOperationException($"Prepare({step}) before running it (prepared: {_prepared}).");
        }

        switch (step.Step)
        {
            case TrainingStep.Plain:
                return nn.functional.cross_entropy(_model.call(_images), _labels);
            case TrainingStep.PlainChannelsLast:
                return nn.functional.cross_entropy(_model.call(_imagesChannelsLast), _labels);
            case TrainingStep.PalObjectiveChannelsLast:
                return _objective!.Compute(_imagesChannelsLast, _labels, _landmarks).Total;
            case TrainingStep.PalStraightforward:
            {
                var logits = _model.call(_images);
                var crossEntropy = nn.functional.cross_entropy(logits, _labels);
                var attribution = PalFunctional.attribution_map(logits, _tap!.TakeActivation(), _labels,
                    Options.Method);
                var heatmap = PalFunctional.landmark_heatmap(_landmarks, Options.Size, Options.Size,
                    attribution.shape[2], attribution.shape[3], Options.Sigma);
                return crossEntropy + Options.Lambda * PalFunctional.pal_loss(attribution, heatmap);
            }

            default:
                return _objective!.Compute(_images, _labels, _landmarks).Total;
        }
    }

    /// <summary>Removes every hook and frees the batch, the model and the optimiser.</summary>
    public void Dispose()
    {
        RemoveHooks();
        _prior.Dispose();
        _images.Dispose();
        _imagesChannelsLast.Dispose();
        _labels.Dispose();
        _landmarks.Dispose();
        _model.Dispose();
    }

    private void RemoveHooks()
    {
        _objective?.Dispose();
        _objective = null;
        _tap?.Dispose();
        _tap = null;
        _prepared = null;
    }
}
