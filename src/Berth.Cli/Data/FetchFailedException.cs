namespace Berth.Cli.Data;

/// <summary>A download that did not succeed for a reason outside the user's input: offline, an HTTP error, bytes that fail their checksum.</summary>
public sealed class FetchFailedException : Exception
{
    public FetchFailedException()
    {
    }

    public FetchFailedException(string message)
        : base(message)
    {
    }

    public FetchFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
