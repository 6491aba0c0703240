using Berth.Kubernetes.Controller;

namespace Berth.Kubernetes.Snapshots;

/// <summary>What a snapshot holds, read as the controller reads it: nodes, GPUs, valid queues, and Berth's running, pending and untriable workloads.</summary>
public sealed record SnapshotSummary(int Nodes, int Gpus, int Queues, int Running, int Pending, int Untriable)
{
    public static SnapshotSummary Of(ClusterSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var view = DecisionPlanner.Read(snapshot, new ControllerOptions());
        static bool Untriable(Runtime.View.ViewWorkload w) => w.Problem is not null || w.MissingMembers > 0;
        return new SnapshotSummary(
            view.Nodes.Count,
            view.Nodes.Sum(n => n.Node.GpuCount),
            view.Configuration.Queues.Count,
            view.Workloads.Count(w => !Untriable(w) && w.Running),
            view.Workloads.Count(w => !Untriable(w) && !w.Running),
            view.Workloads.Count(Untriable));
    }

    public override string ToString() =>
        $"{Nodes} nodes, {Gpus} GPUs, {Queues} queues; workloads: {Running} running, {Pending} pending{(Untriable > 0 ? $", {Untriable} that cannot be tried" : string.Empty)}";
}
