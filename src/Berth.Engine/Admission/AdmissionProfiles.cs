using Berth.Model.Queueing;

namespace Berth.Engine.Admission;

/// <summary>
/// The named profiles a run compares. Each is one of the bases below, optionally followed by
/// <c>+preemption</c> (queues' preemption, reclaim and fair-share policies apply):
/// <list type="bullet">
/// <item><c>kube-default</c>: pods placed one by one in arrival order, no gangs, no quotas (plain Kubernetes);</item>
/// <item><c>strict-fifo</c>: every queue StrictFIFO, heads ordered by priority then submit time;</item>
/// <item><c>besteffort-fifo</c>: every queue BestEffortFIFO, same order;</item>
/// <item><c>fair-share</c>: BestEffortFIFO, heads ordered by weighted dominant-resource share;</item>
/// <item><c>fair-share+backfill</c>: as fair-share, with reservations for starving heads and backfill.</item>
/// </list>
/// </summary>
public static class AdmissionProfiles
{
    public const string PreemptionSuffix = "+preemption";

    public static IReadOnlyList<string> Bases { get; } = ["kube-default", "strict-fifo", "besteffort-fifo", "fair-share", "fair-share+backfill"];

    /// <summary>Every profile name: each base without and with preemption.</summary>
    /// <summary>
    /// Every profile name: each base without and with preemption, except <c>kube-default</c>, whose
    /// preemption (per pod, by priority) Berth does not model.
    /// </summary>
    public static IReadOnlyList<string> Names { get; } = Bases.SelectMany(b => b == "kube-default" ? new[] { b } : new[] { b, b + PreemptionSuffix }).ToArray();

    public static bool IsKnown(string name) => Names.Contains(name, StringComparer.Ordinal);

    /// <summary>Lays profile <paramref name="name"/> over <paramref name="options"/> (the scenario's settings).</summary>
    public static AdmissionOptions Apply(string name, AdmissionOptions options)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(options);
        if (!IsKnown(name))
        {
            throw new ArgumentException($"unknown profile '{name}'; choose among: {string.Join(", ", Names)}", nameof(name));
        }

        var preemption = name.EndsWith(PreemptionSuffix, StringComparison.Ordinal);
        var bare = preemption ? name[..^PreemptionSuffix.Length] : name;
        return bare switch
        {
            "kube-default" => options with { Gangs = false, Preemption = preemption, Backfill = false, Order = CandidateOrder.Fifo, StrategyOverride = QueueingStrategy.BestEffortFifo },
            "strict-fifo" => options with { Gangs = true, Preemption = preemption, Backfill = false, Order = CandidateOrder.Fifo, StrategyOverride = QueueingStrategy.StrictFifo },
            "besteffort-fifo" => options with { Gangs = true, Preemption = preemption, Backfill = false, Order = CandidateOrder.Fifo, StrategyOverride = QueueingStrategy.BestEffortFifo },
            "fair-share" => options with { Gangs = true, Preemption = preemption, Backfill = false, Order = CandidateOrder.FairShare, StrategyOverride = null },
            _ => options with { Gangs = true, Preemption = preemption, Backfill = true, Order = CandidateOrder.FairShare, StrategyOverride = null },
        };
    }
}
