namespace Berth.Kubernetes.Snapshots;

/// <summary>A snapshot file that cannot be used as given: the message names the file, the line, the field and the fix.</summary>
public sealed class SnapshotFileException : Exception
{
    public SnapshotFileException(string file, int line, string field, string problem)
        : base(Format(file, line, field, problem))
    {
        File = file;
        Line = line;
        Field = field;
    }

    public SnapshotFileException()
        : this("snapshot", 0, string.Empty, "invalid snapshot")
    {
    }

    public SnapshotFileException(string message)
        : base(message)
    {
        File = string.Empty;
        Field = string.Empty;
    }

    public SnapshotFileException(string message, Exception innerException)
        : base(message, innerException)
    {
        File = string.Empty;
        Field = string.Empty;
    }

    public string File { get; }

    /// <summary>1-based line; 0 when the problem concerns the whole file.</summary>
    public int Line { get; }

    public string Field { get; }

    private static string Format(string file, int line, string field, string problem)
    {
        var where = line > 0 ? $"{file}:{line}" : file;
        return string.IsNullOrEmpty(field) ? $"{where}: {problem}" : $"{where}: field '{field}': {problem}";
    }
}
