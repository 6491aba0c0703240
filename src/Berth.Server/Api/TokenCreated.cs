using Berth.Server.Access;

namespace Berth.Server.Api;

/// <summary>A new token, shown this once (the server keeps only its hash).</summary>
public sealed record TokenCreated(string Token, string Name, Role Role, IReadOnlyList<string> Queues);
