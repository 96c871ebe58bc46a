namespace PrivilegedAttribution.Landmarks.Tests;

/// <summary>A face box is at least one pixel wide and high, its coordinates lie within ±2³¹ − 1, and against an
/// image it overlaps the image and is at most 16 times its larger side.</summary>
[TestFixture]
public sealed class FaceBoxTests
{
    [Test]
    public void AnInvertedBoxIsRejectedNamingTheEdgeAndBothValues()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => _ = new FaceBox(50, 10, 20, 90));
        Assert.That(error.ParamName, Is.EqualTo("Right"));
        Assert.That(error.Message, Does.Contain("Left = 50").And.Contain("Right = 20"));

        error = Assert.Throws<ArgumentOutOfRangeException>(() => _ = new FaceBox(10, 90, 50, 10));
        Assert.That(error.ParamName, Is.EqualTo("Bottom"));
        Assert.That(error.Message, Does.Contain("Top = 90").And.Contain("Bottom = 10"));
    }

    [Test]
    public void AnEmptyBoxIsRejected()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => _ = new FaceBox(10, 10, 9, 20));
        Assert.That(error.Message, Does.Contain("a width of 0"));
        Assert.Throws<ArgumentOutOfRangeException>(() => FaceBox.FromXywh(10, 10, 0, 20));
    }

    [Test]
    public void AOnePixelBoxIsABox()
    {
        var box = new FaceBox(10, 10, 10, 10);
        Assert.That((box.Width, box.Height), Is.EqualTo((1, 1)));
        Assert.That(default(FaceBox).FitsImage(1, 1, out _), "the default box is the one-pixel box at the origin");
    }

    [TestCase(long.MaxValue, 0, 10, 10, "Left", TestName = "a coordinate saturated from 1e30")]
    [TestCase(0, long.MinValue, 10, 10, "Top", TestName = "a coordinate saturated from -1e30")]
    [TestCase(0, 0, FaceBox.MaxCoordinate + 1, 10, "Right", TestName = "one past the bound")]
    public void ACoordinateBeyondTheBoundIsRejected(long left, long top, long right, long bottom, string argument)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => _ = new FaceBox(left, top, right, bottom));
        Assert.That(error.ParamName, Is.EqualTo(argument));
        Assert.That(error.Message, Does.Contain("2147483647"));
    }

    [Test]
    public void TheBoundItselfIsAllowed()
    {
        var box = new FaceBox(-FaceBox.MaxCoordinate, -FaceBox.MaxCoordinate, FaceBox.MaxCoordinate,
            FaceBox.MaxCoordinate);
        Assert.That(box.Width, Is.EqualTo(2L * int.MaxValue + 1), "no overflow");
    }

    [Test]
    public void FromXywhRejectsASizeThatWouldOverflowInsteadOfWrapping()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => FaceBox.FromXywh(10, 0, long.MaxValue, 5));
        Assert.That(error.ParamName, Is.EqualTo("width"));
        Assert.That(error.Message, Does.Contain("x + width − 1"));

        error = Assert.Throws<ArgumentOutOfRangeException>(() => FaceBox.FromXywh(0, long.MaxValue, 5, 5));
        Assert.That(error.ParamName, Is.EqualTo("y"));
    }

    [TestCase(-30, -20, 70, 60, TestName = "a box partly outside the image fits")]
    [TestCase(99, 79, 99, 79, TestName = "a box on the last pixel fits")]
    [TestCase(-700, -700, 899, 899, TestName = "a box 16 times the larger side fits")]
    public void BoxesThatFrameTheImageFit(long left, long top, long right, long bottom)
    {
        Assert.That(new FaceBox(left, top, right, bottom).FitsImage(100, 80, out var reason), reason);
        Assert.That(reason, Is.Null);
    }

    [TestCase(100, 0, 150, 50, "does not overlap", TestName = "a box right of the image")]
    [TestCase(-60, 0, -1, 50, "does not overlap", TestName = "a box left of the image")]
    [TestCase(0, 80, 50, 120, "does not overlap", TestName = "a box below the image")]
    [TestCase(-700, 0, 900, 50, "at most 1600", TestName = "a box wider than 16 times the larger side")]
    [TestCase(0, -1000, 50, 1000, "at most 1600", TestName = "a box higher than 16 times the larger side")]
    public void BoxesThatMissOrDwarfTheImageDoNotFit(long left, long top, long right, long bottom, string rule)
    {
        Assert.That(new FaceBox(left, top, right, bottom).FitsImage(100, 80, out var reason), Is.False);
        Assert.That(reason, Does.Contain(rule).And.Contain("100×80"));
    }
}
