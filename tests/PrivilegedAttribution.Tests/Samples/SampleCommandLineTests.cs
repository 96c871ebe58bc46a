using PrivilegedAttribution.Samples;

namespace PrivilegedAttribution.Tests.Samples;

/// <summary>What the samples read from their command lines and how they hold out validation images: the integration
/// samples' <c>--pal-layers</c> and the held-out share of the training faces behind the training curves.</summary>
public sealed class SampleCommandLineTests
{
    [Test]
    public void Pal_layers_read_names_and_strategies_with_weight_one()
    {
        var layers = PalLayerList.Parse(" layer1 , layer2=half,layer3=first:0.25");

        Assert.That(layers.Select(l => l.Name), Is.EqualTo(new[] { "layer1", "layer2", "layer3" }));
        Assert.That(layers.Select(l => l.Weight), Is.All.EqualTo(1.0));
        Assert.That(layers[0].Strategy, Is.Null);
        Assert.That(layers[1].Strategy, Is.EqualTo(ChannelStrategy.FirstFraction(0.5)));
        Assert.That(layers[2].Strategy, Is.EqualTo(ChannelStrategy.FirstFraction(0.25)));
    }

    [TestCase("")]
    [TestCase(" , ")]
    [TestCase("layer1,=half")]
    public void Pal_layers_without_a_name_are_refused_quoting_the_text(string text)
    {
        var error = Assert.Throws<FormatException>(() => PalLayerList.Parse(text));
        Assert.That(error!.Message, Does.Contain($"'{text}'"));
    }

    [Test]
    public void An_unknown_strategy_is_refused() =>
        Assert.That(() => PalLayerList.Parse("layer2=most"), Throws.InstanceOf<FormatException>());

    [Test]
    public void The_validation_split_is_stratified_disjoint_and_complete()
    {
        var labels = Enumerable.Range(0, 200).Select(i => i % 4).ToArray();

        var (train, validation) = ValidationSplit.Create(labels, 0.1, seed: 3);

        Assert.That(train.Concat(validation).Order(), Is.EqualTo(Enumerable.Range(0, 200)));
        Assert.That(validation.GroupBy(row => labels[row]).Select(g => g.Count()), Is.All.EqualTo(5));
        Assert.That(ValidationSplit.Create(labels, 0.1, seed: 3).Validation, Is.EqualTo(validation));
    }

    [Test]
    public void A_share_too_small_to_round_to_one_image_still_holds_one_out()
    {
        var (train, validation) = ValidationSplit.Create([0, 1, 2, 0, 1], 0.1, seed: 1);

        Assert.That(validation, Has.Length.EqualTo(1));
        Assert.That(train, Has.Length.EqualTo(4));
        Assert.That(train, Does.Not.Contain(validation[0]));
    }

    [TestCase(-0.1)]
    [TestCase(1.0)]
    [TestCase(double.NaN)]
    public void A_share_outside_zero_to_one_is_refused(double fraction) =>
        Assert.That(() => ValidationSplit.Create([0, 1], fraction, seed: 1),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("fraction"));
}
