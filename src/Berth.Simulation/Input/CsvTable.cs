namespace Berth.Simulation.Input;

/// <summary>
/// A small strict CSV reader for Berth's inputs: a header row, comma-separated fields without quotes.
/// Typed getters throw <see cref="InputException"/> naming file, line and column.
/// </summary>
internal sealed class CsvTable
{
    private readonly string _file;
    private readonly Dictionary<string, int> _columns;

    private CsvTable(string file, Dictionary<string, int> columns, List<(int Line, string[] Fields)> rows)
    {
        _file = file;
        _columns = columns;
        Rows = rows;
    }

    public List<(int Line, string[] Fields)> Rows { get; }

    public static CsvTable Read(string path, TextReader reader, IReadOnlyList<string> required)
    {
        var header = reader.ReadLine();
        if (header is null)
        {
            throw new InputException(path, 1, string.Empty, $"the file is empty; expected a header row with the columns {string.Join(",", required)}");
        }

        if (PrintableText.LooksBinary(header))
        {
            throw new InputException(path, 1, string.Empty, $"this is not a text CSV file (binary data on the first line: {PrintableText.Of(header, 40)}); expected a header row with the columns {string.Join(",", required)}");
        }

        var names = header.TrimStart('\uFEFF').Split(',').Select(h => h.Trim()).ToArray();
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < names.Length; i++)
        {
            columns.TryAdd(names[i], i);
        }

        foreach (var column in required)
        {
            if (!columns.ContainsKey(column))
            {
                throw new InputException(path, 1, column, $"missing column '{column}'; the header must contain {string.Join(",", required)} (found {PrintableText.Of(header)})");
            }
        }

        var rows = new List<(int, string[])>();
        var lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            var fields = line.Split(',');
            if (fields.Length < names.Length)
            {
                throw new InputException(path, lineNumber, names[fields.Length], $"the row has {fields.Length} fields but the header has {names.Length}; add the missing fields");
            }

            rows.Add((lineNumber, fields));
        }

        return new CsvTable(path, columns, rows);
    }

    public bool Has(string column) => _columns.ContainsKey(column);

    public string Text((int Line, string[] Fields) row, string column) => row.Fields[_columns[column]].Trim();

    public long NonNegative((int Line, string[] Fields) row, string column)
    {
        var text = Text(row, column);
        if (!long.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            throw new InputException(_file, row.Line, column, $"'{PrintableText.Of(text)}' is not a whole number; write an integer such as 1000");
        }

        if (value < 0)
        {
            throw new InputException(_file, row.Line, column, $"{value} is negative; it must be 0 or more");
        }

        return value;
    }

    public long? OptionalNonNegative((int Line, string[] Fields) row, string column)
    {
        if (!Has(column) || Text(row, column).Length == 0)
        {
            return null;
        }

        return NonNegative(row, column);
    }
}
