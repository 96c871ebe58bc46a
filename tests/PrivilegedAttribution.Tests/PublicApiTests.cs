using System.Reflection;
using PrivilegedAttribution.Landmarks;
using PrivilegedAttribution.Landmarks.SkiaSharp;
using PublicApiGenerator;

namespace PrivilegedAttribution.Tests;

/// <summary>
/// The public surface of each package, compared with the approved text in PublicApi/. A rename, a
/// new member or a changed signature fails here until the approved file is updated in the same commit, so that
/// every change to what users compile against is seen in review.
/// </summary>
public sealed class PublicApiTests
{
    private static readonly Assembly[] Packages =
    [
        typeof(PalLoss).Assembly, typeof(ShapePredictor).Assembly, typeof(SkiaGrayImageDecoder).Assembly,
        typeof(PretrainedWeights).Assembly,
    ];

    [TestCaseSource(nameof(Packages))]
    public void The_public_surface_is_the_approved_one(Assembly package)
    {
        var name = package.GetName().Name!;
        var actual = package.GeneratePublicApi(new ApiGeneratorOptions
        {
            // The assembly's attributes name its target framework and its friends: not part of the surface.
            ExcludeAttributes = ["System.Runtime.Versioning.TargetFrameworkAttribute",
                "System.Runtime.CompilerServices.InternalsVisibleToAttribute"],
        }).ReplaceLineEndings("\n");
        // The approved files are copied beside the test assembly; the received one is written there too.
        var approved = Path.Combine(AppContext.BaseDirectory, "PublicApi", $"{name}.approved.txt");
        var received = Path.Combine(AppContext.BaseDirectory, "PublicApi", $"{name}.received.txt");
        var expected = File.Exists(approved) ? File.ReadAllText(approved).ReplaceLineEndings("\n") : "";
        if (actual == expected)
        {
            File.Delete(received);
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(received)!);
        File.WriteAllText(received, actual);
        Assert.Fail($"The public API of {name} changed. Review `diff {approved} {received}`; if the change is " +
                    $"intended, copy the received file over tests/PrivilegedAttribution.Tests/PublicApi/{name}" +
                    ".approved.txt in the same commit.");
    }
}
