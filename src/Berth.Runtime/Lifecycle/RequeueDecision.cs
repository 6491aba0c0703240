namespace Berth.Runtime.Lifecycle;

/// <summary>
/// What happens to a workload sent back for a retry: this is attempt <see cref="Attempt"/>; it <see cref="Fails"/>
/// when that is past the backoff limit, else it waits <see cref="Backoff"/> before it is tried again.
/// </summary>
public readonly record struct RequeueDecision(int Attempt, bool Fails, TimeSpan Backoff);
