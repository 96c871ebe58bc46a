using System.Text;

namespace PrivilegedAttribution.Fuzz;

/// <summary>
/// Splits one fuzzer input into the files of a dataset folder: sections are separated by a line holding only
/// <c>%%</c>, so that a seed reads as the files it stands for and a mutation may move, empty or drop a section.
/// </summary>
internal static class InputSections
{
    private static readonly byte[] Separator = "\n%%\n"u8.ToArray();

    /// <summary>The sections in order; a missing section is null (the harness then writes no file for it).</summary>
    public static byte[]?[] Split(byte[] input, int count)
    {
        var sections = new byte[]?[count];
        var rest = input.AsSpan();
        for (var i = 0; i < count; i++)
        {
            var at = rest.IndexOf(Separator);
            if (at < 0 || i == count - 1)
            {
                sections[i] = rest.ToArray();
                break;
            }

            sections[i] = rest[..at].ToArray();
            rest = rest[(at + Separator.Length)..];
        }

        return sections;
    }

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/>, or deletes the file when it is null.
    /// </summary>
    public static void WriteOrDelete(string path, byte[]? content)
    {
        if (content is null)
        {
            File.Delete(path);
            return;
        }

        File.WriteAllBytes(path, content);
    }

    /// <summary>The separator as text, for messages and seeds.</summary>
    public static string SeparatorText => Encoding.ASCII.GetString(Separator);
}
