namespace Berth.Web;

/// <summary>
/// One page of jobs asked for: filters (each null: any), <see cref="After"/>, the opaque cursor of the previous page's
/// <c>next</c> (null: from the first), and how many at most. Jobs come in submit order.
/// </summary>
public sealed record JobQuery(string? Queue, JobState? State, string? User, string? After, int Limit);
