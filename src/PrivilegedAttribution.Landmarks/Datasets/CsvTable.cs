using nietras.SeparatedValues;

namespace PrivilegedAttribution.Landmarks.Datasets;

/// <summary>
/// A comma-separated file with a header, read record by record with Sep (RFC 4180: a quoted field may hold commas,
/// line breaks and "" for a quote). Each record keeps the line it starts on, so that every problem can name its
/// file and line.
/// </summary>
internal sealed class CsvTable : IDisposable
{
    // The separator is fixed: Sep would otherwise guess it from the header, and a header with a ';' but no ',' would
    // be read as semicolon-separated. Column counts are checked here, against the header, to report bad records.
    private static readonly SepReaderOptions Options = Sep.New(',').Reader(o => o with
    {
        HasHeader = true,
        Unescape = true,
        Trim = SepTrim.All,
        DisableColCountCheck = true,
    });

    private readonly SepReader _reader;

    private CsvTable(string path, SepReader reader)
    {
        Path = path;
        _reader = reader;
        Header = reader.Header.ColNames.ToArray();
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>The column names of the first line (empty for an empty file).</summary>
    public IReadOnlyList<string> Header { get; }

    /// <summary>Opens <paramref name="path"/> and reads its header.</summary>
    /// <exception cref="InvalidDataException">The header names a column twice.</exception>
    public static CsvTable Open(string path) => Open(path, new StreamReader(path));

    /// <summary>Reads the header and records from <paramref name="text"/>, which the table then owns; line
    /// numbers count from <paramref name="text"/>'s current position, which must be the start of
    /// <paramref name="path"/>'s line 1 as far as messages are concerned.</summary>
    public static CsvTable Open(string path, TextReader text)
    {
        try
        {
            return new CsvTable(path, Options.From(text));
        }
        catch (ArgumentException e)
        {
            // Sep rejects a header that names a column twice with an ArgumentException.
            text.Dispose();
            throw new InvalidDataException($"{path}:1: {e.Message}", e);
        }
    }

    /// <summary>The index of the column named <paramref name="name"/>, or -1.</summary>
    public int Column(string name)
    {
        for (var i = 0; i < Header.Count; i++)
        {
            if (Header[i] == name)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Every record after the header, in file order; blank lines are skipped.</summary>
    /// <exception cref="InvalidDataException">A quoted field is never closed (naming the file and the line its record
    /// starts on): everything after its opening quote would be one field, so no later record can be trusted.
    /// </exception>
    public IEnumerable<CsvRecord> Records()
    {
        while (Next() is { } record)
        {
            if (record.Fields is not [""])
            {
                yield return record;
            }
        }
    }

    /// <summary>The records that have a field for each column of the header (or more, when
    /// <paramref name="extraFieldsAllowed"/>); each other one is reported to <paramref name="builder"/> as a
    /// <see cref="DatasetProblemKind.MalformedLine"/> with its line, and skipped.</summary>
    /// <exception cref="InvalidDataException">As <see cref="Records()"/>.</exception>
    public IEnumerable<CsvRecord> Records(DatasetBuilder builder, bool extraFieldsAllowed)
    {
        foreach (var record in Records())
        {
            var count = record.Fields.Length;
            if (count < Header.Count || (count > Header.Count && !extraFieldsAllowed))
            {
                builder.Problem(Path, record.Line, DatasetProblemKind.MalformedLine,
                    $"{count} fields where the header has {Header.Count}");
                continue;
            }

            yield return record;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _reader.Dispose();

    private CsvRecord? Next()
    {
        if (!_reader.MoveNext())
        {
            return null;
        }

        var row = _reader.Current;
        // Sep ends a record only at a line break outside quotes, so an odd number of quotes means the record ran to
        // the end of the file inside a quoted field.
        if (row.Span.Count('"') % 2 != 0)
        {
            var lastLine = row.LineNumberFrom + row.Span.TrimEnd("\r\n").Count('\n');
            throw new InvalidDataException($"{Path}:{row.LineNumberFrom}: a quoted field in this record is never " +
                $"closed, so the rest of the file (to line {lastLine}) would be one field; close the quote, and " +
                "write a quote inside a quoted field as \"\".");
        }

        var fields = new string[row.ColCount];
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = row[i].ToString();
        }

        return new CsvRecord(row.LineNumberFrom, fields);
    }
}
