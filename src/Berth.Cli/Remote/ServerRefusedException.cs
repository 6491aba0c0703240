namespace Berth.Cli.Remote;

/// <summary>The Berth server could not be reached, or refused the request for a reason that is not the input (401, 403, 429, 5xx): exit 3.</summary>
public sealed class ServerRefusedException : Exception
{
    public ServerRefusedException(string message)
        : base(message)
    {
    }

    public ServerRefusedException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public ServerRefusedException()
    {
    }
}
