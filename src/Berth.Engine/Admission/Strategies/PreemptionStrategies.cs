using Berth.Engine.Admission.Strategies.FairShare;
using Berth.Engine.Admission.Strategies.Reclaim;
using Berth.Engine.Admission.Strategies.WithinQueue;

namespace Berth.Engine.Admission.Strategies;

/// <summary>
/// The preemption strategies, in the order the preempt action asks them (the first that allows a victim owns
/// it). A new strategy is one folder under Strategies/, one line here and one conformance scenario.
/// </summary>
internal static class PreemptionStrategies
{
    public static IReadOnlyList<IPreemptionStrategy> All { get; } =
    [
        new WithinQueueStrategy(),
        new ReclaimStrategy(),
        new FairShareStrategy(),
    ];
}
