namespace Berth.Engine.Admission;

/// <summary>
/// What the wake-up reads of a queue's head (its backoff end and since when it waits), cached with the queue's
/// version and count of removals it was read at, so a cycle reads a head again only after the queue changed.
/// </summary>
internal readonly record struct HeadWake(long Version, long Removals, bool Any, TimeSpan BackoffUntil, TimeSpan PendingSince)
{
}
