using Berth.Engine.Admission.Actions;
using Berth.Model.Queueing;

namespace Berth.Engine.Admission;

/// <summary>
/// The named profiles a run compares, as data (<see cref="AdmissionProfile"/>). Each base below exists without and
/// with <c>+preemption</c> (its actions followed by consolidate and preempt: queues' preemption, reclaim and
/// fair-share policies apply), except <c>kube-default</c>, whose preemption (per pod, by priority) Berth does not model:
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

    private static readonly string[] Disruptive = [AdmissionActions.Consolidate, AdmissionActions.Preempt];

    private static readonly AdmissionProfile[] BaseProfiles =
    [
        new("kube-default", [AdmissionActions.Allocate]) { Gangs = false, Order = CandidateOrder.Fifo, StrategyOverride = QueueingStrategy.BestEffortFifo },
        new("strict-fifo", [AdmissionActions.Allocate]) { Order = CandidateOrder.Fifo, StrategyOverride = QueueingStrategy.StrictFifo },
        new("besteffort-fifo", [AdmissionActions.Allocate]) { Order = CandidateOrder.Fifo, StrategyOverride = QueueingStrategy.BestEffortFifo },
        new("fair-share", [AdmissionActions.Allocate]),
        new("fair-share+backfill", [AdmissionActions.Allocate, AdmissionActions.Backfill]),
    ];

    /// <summary>Every profile: each base without and with preemption (kube-default only without).</summary>
    public static IReadOnlyList<AdmissionProfile> All { get; } = BaseProfiles
        .SelectMany(b => b.Gangs ? new[] { b, b with { Name = b.Name + PreemptionSuffix, Actions = [.. b.Actions, .. Disruptive] } } : new[] { b })
        .ToArray();

    public static IReadOnlyList<string> Bases { get; } = BaseProfiles.Select(b => b.Name).ToArray();

    /// <summary>Every profile name, in <see cref="All"/>'s order.</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(p => p.Name).ToArray();

    public static bool IsKnown(string name) => Names.Contains(name, StringComparer.Ordinal);

    /// <summary>The profile named <paramref name="name"/>.</summary>
    public static AdmissionProfile Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal))
            ?? throw new ArgumentException($"unknown profile '{name}'; choose among: {string.Join(", ", Names)}", nameof(name));
    }

    /// <summary>Lays profile <paramref name="name"/> over <paramref name="options"/> (the scenario's settings).</summary>
    public static AdmissionOptions Apply(string name, AdmissionOptions options) => Get(name).ApplyTo(options);
}
