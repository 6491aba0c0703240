namespace Berth.Cli.Tests.Chaos;

/// <summary>When a SIGKILL hits a replica.</summary>
public enum KillMoment
{
    /// <summary>The leader, at the k-th write of a decision after a burst of submissions (admission records, unsuspensions, statuses).</summary>
    MidPlan,

    /// <summary>The leader, right after the API server accepted the k-th binding of a decision (the gang half bound).</summary>
    BetweenBindings,

    /// <summary>The replica that has just taken the Lease after the leader was killed, within its first 1.5 s as leader.</summary>
    HandOver,

    /// <summary>The leader at a moment of no particular write (the first kill of a hand-over pair, or a trigger that did not come).</summary>
    LeaderAtRest,

    /// <summary>The replica that does not lead (its cache warm, deciding nothing).</summary>
    Follower,
}
