using PrivilegedAttribution.Fuzz.Targets;

namespace PrivilegedAttribution.Fuzz;

/// <summary>Every target, by name.</summary>
internal static class FuzzTargets
{
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new DlibModelTarget(), new RafDbTarget(), new AffectNetTarget(), new GenericCsvTarget(),
        new LandmarkCacheTarget(), new ImageTarget(), new JpegEndOfImageTarget(),
    ];

    public static FuzzTarget? Find(string name) => All.FirstOrDefault(t => t.Name == name);
}
