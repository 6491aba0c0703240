namespace Berth.Engine.Admission.Strategies;

/// <summary>
/// One rule under which a pending workload may take the place of an admitted one (Kueue's preemption
/// strategies). The preempt action asks the strategies in their registry order (<see cref="PreemptionStrategies"/>)
/// and the first that allows a candidate victim owns it: its checks run while victims are taken, and its
/// <see cref="EvictionReason"/> is the victim's event reason. Strategies are stateless; all they read is the
/// <see cref="PreemptionContext"/> of the attempt.
/// </summary>
internal interface IPreemptionStrategy
{
    /// <summary>The registry name (as in docs and tests).</summary>
    string Name { get; }

    /// <summary>The reason code of the eviction event of a victim this strategy took.</summary>
    string EvictionReason { get; }

    /// <summary>
    /// True when the preemptor must end within its nominal quota if any victim of this strategy is taken
    /// (within-queue preemption: a queue that preempts its own to borrow more would be reclaimed at once).
    /// </summary>
    bool KeepsPreemptorWithinNominal { get; }

    /// <summary>
    /// Step 1, before anything is removed: whether <paramref name="victim"/> is a candidate under this rule.
    /// Victims of another queue reach this only when their queue may be taken from at all (same cohort tree,
    /// borrowing, and not one that would displace a lower one of its own).
    /// </summary>
    bool Allows(PreemptionContext context, WorkloadState victim);

    /// <summary>Step 3, before the victim's usage is removed: whether it may still be taken now.</summary>
    bool MayTake(PreemptionContext context, WorkloadState victim) => true;

    /// <summary>Step 3, with the victim's usage removed in the statement: whether taking it is still allowed.</summary>
    bool AllowsAfterRemoval(PreemptionContext context, WorkloadState victim) => true;
}
