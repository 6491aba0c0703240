using Berth.Server.Access;

namespace Berth.Server.Api;

/// <summary>Asks for a token: its role, the queues of a submitter, and a name to tell it by.</summary>
public sealed record TokenRequest
{
    public Role? Role { get; init; }

    public IReadOnlyList<string>? Queues { get; init; }

    public string? Name { get; init; }
}
