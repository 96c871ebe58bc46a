namespace PrivilegedAttribution.Landmarks.Datasets;

/// <summary>One record of a <see cref="CsvTable"/>.</summary>
/// <param name="Line">The 1-based line the record starts on (a quoted field may hold line breaks, so a record can
/// span several lines).</param>
/// <param name="Fields">The fields: unquoted, "" read as one quote, leading and trailing white space removed.</param>
internal readonly record struct CsvRecord(int Line, string[] Fields);
