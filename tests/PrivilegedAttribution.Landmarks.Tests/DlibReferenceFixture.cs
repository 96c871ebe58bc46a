using System.Globalization;

namespace PrivilegedAttribution.Landmarks.Tests;

/// <summary>One case of Fixtures/dlib-reference.txt, written by tools/dlib-reference from dlib itself: the leaf of
/// every tree per cascade (one hex digit a tree), or for "compact" cases a 64-bit FNV-1a hash of all of them.</summary>
public sealed record DlibReferenceCase(
    string Name,
    string ImageSpec,
    int ImageWidth,
    int ImageHeight,
    ulong GrayHash,
    FaceBox Box,
    long[] Points,
    uint[] ShapeBits,
    double[] SubPixel,
    string[] Leaves,
    ulong? LeafHash)
{
    public override string ToString() => Name;

    public static IReadOnlyList<DlibReferenceCase> ReadAll(string path)
    {
        var cases = new List<DlibReferenceCase>();
        var lines = File.ReadAllLines(path);
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("case ", StringComparison.Ordinal))
            {
                continue;
            }

            var name = lines[i][5..];
            string[] image = [], box = [];
            long[] points = [];
            uint[] shape = [];
            double[] subPixel = [];
            var leaves = new List<string>();
            ulong? leafHash = null;
            for (i++; lines[i] != "end"; i++)
            {
                var fields = lines[i].Split(' ');
                switch (fields[0])
                {
                    case "image": image = fields; break;
                    case "box": box = fields; break;
                    case "points": points = fields[1..].Select(long.Parse).ToArray(); break;
                    case "shape":
                        shape = fields[1..].Select(f => uint.Parse(f, NumberStyles.HexNumber)).ToArray();
                        break;
                    case "subpixel":
                        subPixel = fields[1..].Select(f => double.Parse(f, CultureInfo.InvariantCulture)).ToArray();
                        break;
                    case "leaves": leaves.Add(fields[2]); break;
                    case "leafhash": leafHash = ulong.Parse(fields[1], NumberStyles.HexNumber); break;
                    default: throw new InvalidDataException($"{path}:{i + 1}: unexpected '{fields[0]}'.");
                }
            }

            cases.Add(new DlibReferenceCase(name, image[1], int.Parse(image[2]), int.Parse(image[3]),
                ulong.Parse(image[4], NumberStyles.HexNumber),
                new FaceBox(long.Parse(box[1]), long.Parse(box[2]), long.Parse(box[3]), long.Parse(box[4])),
                points, shape, subPixel, leaves.ToArray(), leafHash));
        }

        return cases;
    }
}
