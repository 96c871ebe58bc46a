namespace PrivilegedAttribution.Tests;

public sealed class ChannelStrategyTests
{
    private static readonly ChannelStrategy[] Strategies =
        [ChannelStrategy.Mean, ChannelStrategy.AllChannels, ChannelStrategy.FirstFraction(0.5),
            ChannelStrategy.FirstFraction(0.125)];

    [TestCaseSource(nameof(Strategies))]
    public void Parse_reads_what_ToString_prints(ChannelStrategy strategy) =>
        Assert.That(ChannelStrategy.Parse(strategy.ToString()), Is.EqualTo(strategy));

    [TestCase("mean", "Mean")]
    [TestCase("ALL", "AllChannels")]
    [TestCase("allchannels", "AllChannels")]
    [TestCase("half", "FirstFraction(0.5)")]
    [TestCase(" first:0.25 ", "FirstFraction(0.25)")]
    [TestCase("firstfraction(1)", "FirstFraction(1)")]
    public void Parse_reads_the_command_line_forms(string text, string expected) =>
        Assert.That(ChannelStrategy.Parse(text).ToString(), Is.EqualTo(expected));

    [TestCase("median")]
    [TestCase("first:")]
    [TestCase("first:half")]
    [TestCase("FirstFraction(0.5")]
    [TestCase("")]
    public void Parse_rejects_anything_else_listing_the_forms(string text) =>
        Assert.That(Assert.Throws<FormatException>(() => ChannelStrategy.Parse(text))!.Message,
            Does.Contain("FirstFraction(F)"));

    [TestCase("first:0")]
    [TestCase("FirstFraction(1.5)")]
    public void Parse_rejects_a_fraction_outside_zero_to_one(string text) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ChannelStrategy.Parse(text));
}
