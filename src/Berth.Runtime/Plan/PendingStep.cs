namespace Berth.Runtime.Plan;

/// <summary>
/// A workload that is not running waits for <see cref="Code"/> (a pending reason code, or a problem's):
/// <see cref="Message"/>, with its place in its queue and its expected start when known. The unbound pods Berth
/// places wait with it.
/// </summary>
public sealed record PendingStep(string Workload, string Code, string Message, string? Flavor, int? Position = null, DateTimeOffset? ExpectedStart = null) : PlanStep(Workload);
