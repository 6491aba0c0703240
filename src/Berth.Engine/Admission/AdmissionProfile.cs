using Berth.Engine.Admission.Actions;
using Berth.Model.Queueing;

namespace Berth.Engine.Admission;

/// <summary>
/// A named admission profile as data: the actions a cycle runs for each candidate, in order (least disruptive
/// first), and the options that come with them. <see cref="AdmissionProfiles"/> lists the profiles Berth compares.
/// </summary>
public sealed record AdmissionProfile(string Name, IReadOnlyList<string> Actions)
{
    /// <summary>How heads of different queues are ordered.</summary>
    public CandidateOrder Order { get; init; } = CandidateOrder.FairShare;

    /// <summary>False: pods placed one by one, no gangs, no quotas (plain Kubernetes).</summary>
    public bool Gangs { get; init; } = true;

    /// <summary>When set, every queue uses this strategy instead of its own.</summary>
    public QueueingStrategy? StrategyOverride { get; init; }

    /// <summary>Lays this profile over <paramref name="options"/> (the scenario's settings): actions, order, gangs, strategy.</summary>
    public AdmissionOptions ApplyTo(AdmissionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options with
        {
            Actions = Actions,
            Backfill = Actions.Contains(AdmissionActions.Backfill, StringComparer.Ordinal),
            Preemption = Actions.Contains(AdmissionActions.Preempt, StringComparer.Ordinal),
            Order = Order,
            Gangs = Gangs,
            StrategyOverride = StrategyOverride,
        };
    }
}
