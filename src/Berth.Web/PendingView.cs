namespace Berth.Web;

/// <summary>Why a job waits: a reason code (the engine's pending reason, or Held), a sentence, and the flavor it was tried in.</summary>
public sealed record PendingView(string Code, string Message, string? Flavor);
