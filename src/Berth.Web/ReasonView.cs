namespace Berth.Web;

/// <summary>One pending reason of a job's history: from when it held, its code (the engine's pending reason) and its sentence.</summary>
public sealed record ReasonView(DateTimeOffset Since, string Code, string Message);
