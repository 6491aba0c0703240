using Berth.Engine.Admission;

namespace Berth.Runtime.Lifecycle;

/// <summary>
/// The one place where the engine's event codes become <see cref="EvictionReason"/> values and back: everything
/// above the engine matches on the enum, never on the text.
/// </summary>
public static class EvictionReasons
{
    /// <summary>The code written in event logs and on objects (the enum's name).</summary>
    public static string Code(this EvictionReason reason) => reason switch
    {
        EvictionReason.Preempted => "Preempted",
        EvictionReason.Reclaimed => "Reclaimed",
        EvictionReason.FairSharePreempted => "FairSharePreempted",
        EvictionReason.Consolidated => "Consolidated",
        EvictionReason.QueueDrained => "QueueDrained",
        EvictionReason.GangNotReady => "GangNotReady",
        EvictionReason.AdmissionCheckRetry => "AdmissionCheckRetry",
        EvictionReason.NodeUnhealthy => "NodeUnhealthy",
        EvictionReason.SpotReclaimed => "SpotReclaimed",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "not an eviction reason"),
    };

    /// <summary>True for the reasons that make room for another workload (counted as preemptions).</summary>
    public static bool IsPreemption(this EvictionReason reason) =>
        reason is EvictionReason.Preempted or EvictionReason.Reclaimed or EvictionReason.FairSharePreempted;

    /// <summary>
    /// The reason of an engine <see cref="AdmissionEventKind.Evicted"/> event (an eviction with no code is a
    /// preemption). Throws for a code the runtime does not know: a new engine reason must be added here.
    /// </summary>
    public static EvictionReason Of(AdmissionEvent evicted)
    {
        ArgumentNullException.ThrowIfNull(evicted);
        if (evicted.Kind != AdmissionEventKind.Evicted)
        {
            throw new ArgumentException($"event of {evicted.Workload} is {evicted.Kind}, not Evicted", nameof(evicted));
        }

        return evicted.Reason switch
        {
            null or "Preempted" => EvictionReason.Preempted,
            "Reclaimed" => EvictionReason.Reclaimed,
            "FairSharePreempted" => EvictionReason.FairSharePreempted,
            "Consolidated" => EvictionReason.Consolidated,
            "QueueDrained" => EvictionReason.QueueDrained,
            "GangNotReady" => EvictionReason.GangNotReady,
            "AdmissionCheckRetry" => EvictionReason.AdmissionCheckRetry,
            "NodeUnhealthy" => EvictionReason.NodeUnhealthy,
            "SpotReclaimed" => EvictionReason.SpotReclaimed,
            var other => throw new ArgumentException($"eviction code '{other}' of {evicted.Workload} is unknown to the runtime; add it to {nameof(EvictionReason)}", nameof(evicted)),
        };
    }
}
