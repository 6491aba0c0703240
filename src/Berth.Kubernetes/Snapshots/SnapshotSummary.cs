using Berth.Kubernetes.Controller;

namespace Berth.Kubernetes.Snapshots;

/// <summary>What a snapshot holds, read as the controller reads it: nodes, GPUs, valid queues, and Berth's running, pending and untriable workloads.</summary>
public sealed record SnapshotSummary(int Nodes, int Gpus, int Queues, int Running, int Pending, int Untriable)
{
    public static SnapshotSummary Of(ClusterSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var reading = DecisionPlanner.Read(snapshot, new ControllerOptions());
        return new SnapshotSummary(
            reading.Nodes.Count,
            reading.Nodes.Sum(n => n.GpuCount),
            reading.Configuration.Queues.Count,
            reading.Workloads.Count(w => w.Problem is null && w.Running),
            reading.Workloads.Count(w => w.Problem is null && !w.Running),
            reading.Workloads.Count(w => w.Problem is not null));
    }

    public override string ToString() =>
        $"{Nodes} nodes, {Gpus} GPUs, {Queues} queues; workloads: {Running} running, {Pending} pending{(Untriable > 0 ? $", {Untriable} that cannot be tried" : string.Empty)}";
}
