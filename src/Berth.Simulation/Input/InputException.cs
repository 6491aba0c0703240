namespace Berth.Simulation.Input;

/// <summary>
/// Bad input: a file, request or option that cannot be used as given. The message names the file,
/// the line, the field and the fix, so a user can correct it without reading code.
/// </summary>
public sealed class InputException : Exception
{
    public InputException(string file, int line, string field, string problem)
        : base(Format(file, line, field, problem))
    {
        File = file;
        Line = line;
        Field = field;
        Problem = problem;
    }

    public InputException(string message)
        : base(message)
    {
        File = string.Empty;
        Field = string.Empty;
        Problem = message;
    }

    public InputException()
        : this("invalid input")
    {
    }

    public InputException(string message, Exception innerException)
        : base(message, innerException)
    {
        File = string.Empty;
        Field = string.Empty;
        Problem = message;
    }

    public string File { get; }

    /// <summary>1-based line; 0 when the problem concerns the whole file.</summary>
    public int Line { get; }

    public string Field { get; }

    public string Problem { get; }

    private static string Format(string file, int line, string field, string problem)
    {
        var where = line > 0 ? $"{file}:{line}" : file;
        return string.IsNullOrEmpty(field) ? $"{where}: {problem}" : $"{where}: field '{field}': {problem}";
    }
}
