namespace Berth.Web;

/// <summary>
/// A query a view source cannot answer because of its input (a cursor it did not make, say): <see cref="Field"/>
/// names the query parameter, the message says how to fix it. The endpoints turn it into a 400 problem.
/// </summary>
public sealed class ViewException : Exception
{
    public ViewException(string field, string message)
        : base(message) => Field = field;

    public ViewException()
    {
        Field = "query";
    }

    public ViewException(string message)
        : base(message) => Field = "query";

    public ViewException(string message, Exception innerException)
        : base(message, innerException) => Field = "query";

    public string Field { get; }
}
