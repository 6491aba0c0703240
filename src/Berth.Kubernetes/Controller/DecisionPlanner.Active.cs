using Berth.Kubernetes.Api;
using Berth.Model.Queueing;
using k8s.Models;

namespace Berth.Kubernetes.Controller;

/// <summary>A Queue's <c>Active</c> condition: whether it admits workloads now (Kueue's ClusterQueue condition of the same name).</summary>
public sealed partial class DecisionPlanner
{
    /// <summary>Reason of <c>Active=True</c>.</summary>
    public const string QueueActiveReason = "Admitting";

    /// <summary>Reason of <c>Active=False</c> on a queue whose <c>spec.stopPolicy</c> holds it.</summary>
    public const string QueueStoppedReason = "Stopped";

    /// <summary>Reason of <c>Active=False</c> on a queue that is not valid (its <c>Ready</c> condition says why).</summary>
    public const string QueueNotReadyReason = "NotReady";

    /// <summary>
    /// Sets the <c>Active</c> condition of queue <paramref name="name"/> in <paramref name="conditions"/> when its status,
    /// reason or message changed (the transition time stays when the status did not flip); true when it changed.
    /// </summary>
    private bool SetActiveCondition(List<V1Condition> conditions, string name)
    {
        var queue = _config.Queues.FirstOrDefault(q => q.Name == name);
        var (active, reason, message) = queue switch
        {
            null => (false, QueueNotReadyReason, "it is not valid (see its Ready condition); it admits nothing until that is fixed"),
            { Stop: StopPolicy.Hold } => (false, QueueStoppedReason, "spec.stopPolicy is Hold: it admits nothing new; what runs goes on. Set stopPolicy: None to admit again"),
            { Stop: StopPolicy.HoldAndDrain } => (false, QueueStoppedReason, "spec.stopPolicy is HoldAndDrain: it admits nothing new and evicts what runs. Set stopPolicy: None to admit again"),
            _ => (true, QueueActiveReason, "it admits workloads"),
        };
        var status = active ? "True" : "False";
        var old = conditions.FirstOrDefault(c => c?.Type == ConditionTypes.Active);
        if (old is not null && old.Status == status && old.Reason == reason && old.Message == message)
        {
            return false;
        }

        conditions.RemoveAll(c => c?.Type == ConditionTypes.Active);
        conditions.Add(new V1Condition
        {
            Type = ConditionTypes.Active,
            Status = status,
            Reason = reason,
            Message = message,
            LastTransitionTime = old is not null && old.Status == status ? old.LastTransitionTime : _snapshot.Now.UtcDateTime,
        });
        return true;
    }
}
