namespace Berth.Cli;

/// <summary>
/// Exit codes scripts can rely on: one policy for every command, printed by <c>berth --help</c>
/// (<see cref="Policy"/>) and stated in the README.
/// </summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>An unexpected failure (a bug, a full disk); the message starts with <c>error: unexpected</c>.</summary>
    public const int Failure = 1;

    /// <summary>Bad input or usage: a file, an option or a policy name; nothing was written.</summary>
    public const int BadInput = 2;

    /// <summary>A server could not be reached or refused the request (the Kubernetes API server: connection, TLS, 401/403, 5xx; a download: offline, HTTP error; a Berth server: connection, 401, 403, 429, 5xx); nothing was written.</summary>
    public const int Unreachable = 3;

    /// <summary>Interrupted with Ctrl+C; nothing was written.</summary>
    public const int Cancelled = 130;

    /// <summary>The policy as <c>berth --help</c> prints it.</summary>
    public const string Policy = """
        Exit codes (every command):
          0    done
          1    unexpected failure: a bug or the system (disk full); 'error: unexpected ...', BERTH_DEBUG=1 for the stack
          2    bad input or usage: an option, a file or its content; 'error: FILE:LINE: ...'; nothing was written
          3    a server could not be reached or refused (Kubernetes API server, download, Berth server: 401, 403, 429, 5xx); nothing was written
          130  interrupted (Ctrl+C); nothing was written
        """;
}
