using TorchSharp;
using static TorchSharp.torch;
using static PrivilegedAttribution.Tests.Numerics;

namespace PrivilegedAttribution.Tests;

public sealed class ChannelsLastTests
{
    [Test]
    public void A_batch_keeps_its_shape_and_values_with_channels_varying_fastest()
    {
        using var scope = NewDisposeScope();
        var batch = randn(2, 3, 5, 4, ScalarType.Float64);
        var nhwc = ChannelsLast.Of(batch);

        Assert.That(nhwc.shape, Is.EqualTo(new long[] { 2, 3, 5, 4 }));
        Assert.That(nhwc.stride(), Is.EqualTo(new long[] { 60, 1, 12, 3 }));
        Assert.That(ChannelsLast.Is(nhwc), Is.True);
        Assert.That(ChannelsLast.Is(batch), Is.False);
        AssertClose(nhwc, batch, 0, 0, "values");
    }

    [Test]
    public void A_batch_already_channels_last_is_not_copied()
    {
        using var scope = NewDisposeScope();
        var nhwc = ChannelsLast.Of(randn(2, 3, 5, 4));
        var again = ChannelsLast.Of(nhwc);

        Assert.That(again.stride(), Is.EqualTo(nhwc.stride()));
        again[1, 2, 3, 1] = tensor(42f); // the same memory: a copy would not see the write
        Assert.That(nhwc[1, 2, 3, 1].item<float>(), Is.EqualTo(42f));
    }

    [Test]
    public void Dimensions_of_size_one_do_not_decide_the_layout()
    {
        using var scope = NewDisposeScope();
        // One channel: NCHW and NHWC strides differ only in the channel dimension, whose stride means nothing.
        Assert.That(ChannelsLast.Is(randn(2, 1, 5, 4)), Is.True);
        Assert.That(ChannelsLast.Is(randn(1, 3, 1, 1)), Is.True);
        Assert.That(ChannelsLast.Is(randn(2, 3, 5, 4).transpose(2, 3)), Is.False);
    }

    [Test]
    public void A_batch_that_is_not_four_dimensional_is_refused_by_name()
    {
        using var scope = NewDisposeScope();
        var error = Assert.Throws<ArgumentException>(() => ChannelsLast.Of(randn(3, 5, 4)))!;

        Assert.That(error.ParamName, Is.EqualTo("batch"));
        Assert.That(error.Message, Does.Contain("4-D batch (B,C,H,W)").And.Contain("[3, 5, 4]"));
        Assert.That(ChannelsLast.Is(randn(3, 5, 4)), Is.False);
    }

    [Test]
    public void A_tapped_channels_last_activation_is_captured_as_it_is()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.SmallCnn(dtype: ScalarType.Float32, inputChannels: 3);
        using var tap = new LayerTap(model, "relu1");
        model.call(ChannelsLast.Of(randn(2, 3, 8, 8)));
        var activation = tap.TakeActivation();

        // The layout travelled from the input to the tapped layer, and the tap neither copied nor reordered it.
        Assert.That(ChannelsLast.Is(activation), Is.True);
        Assert.That(activation.shape, Is.EqualTo(new long[] { 2, 4, 8, 8 }));
    }

    [Test]
    public void The_pal_step_of_a_channels_last_batch_has_the_gradients_of_the_plain_layout()
    {
        using var scope = NewDisposeScope();
        var images = randn(3, 3, 8, 8, ScalarType.Float64);
        var labels = tensor(new long[] { 0, 2, 1 });
        var landmarks = rand(3, 5, 2, ScalarType.Float64) * 8;

        Dictionary<string, Tensor> Gradients(Tensor batch)
        {
            manual_seed(7);
            using var model = TinyModels.SmallCnn(inputChannels: 3);
            using var objective = new PalObjective(model, [new PalLayer("relu1", 2.0), new PalLayer("conv2", 0.5)],
                new HeatmapPrior(8, 8, 1.5));
            objective.Compute(batch, labels, landmarks).Total.backward();
            return model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.detach().clone());
        }

        var plain = Gradients(images);
        var nhwc = Gradients(ChannelsLast.Of(images));

        Assert.That(nhwc.Keys, Is.EquivalentTo(plain.Keys));
        foreach (var (name, gradient) in plain)
        {
            // Second-order terms included (PAL's gradient reaches conv1 through relu1's G): equal to rounding.
            AssertClose(nhwc[name], gradient, 1e-10, 1e-12, name);
        }
    }
}
