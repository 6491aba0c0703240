namespace Berth.Kubernetes.Controller;

/// <summary>
/// One decision as readers see it: the snapshot it was made from (with this replica's writes laid over it) and its
/// plan, published together so a reader never pairs a plan with another cycle's snapshot.
/// </summary>
public sealed record Decision(ClusterSnapshot Snapshot, DecisionPlan Plan);
