namespace Berth.Server.Loop;

/// <summary>
/// Why a job waits, from the last decision: a pending reason code (the engine's, or <c>Held</c>), a sentence, the
/// flavor it was tried in, its place in its queue (1: next) and its expected start when the engine can tell.
/// Derived, never stored: every cycle computes it again, so a restart loses nothing.
/// </summary>
public sealed record PendingInfo(string Code, string Message, string? Flavor, int? Position, DateTimeOffset? ExpectedStart);
