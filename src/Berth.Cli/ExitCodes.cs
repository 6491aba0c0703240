namespace Berth.Cli;

/// <summary>Exit codes scripts can rely on.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>An unexpected failure (a bug, a full disk); the message starts with <c>error: unexpected</c>.</summary>
    public const int Failure = 1;

    /// <summary>Bad input or usage: a file, an option or a policy name; nothing was written.</summary>
    public const int BadInput = 2;

    /// <summary>The Kubernetes API server could not be reached or refused the request (connection, TLS, 401/403, 5xx); nothing was written.</summary>
    public const int Unreachable = 3;

    /// <summary>Interrupted with Ctrl+C; nothing was written.</summary>
    public const int Cancelled = 130;
}
