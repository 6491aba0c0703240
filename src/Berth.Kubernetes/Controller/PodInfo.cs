using Berth.Model;
using k8s.Models;

namespace Berth.Kubernetes.Controller;

/// <summary>A pod as the planner reads it: its request, where it is bound (and on which GPUs), and what it belongs to.</summary>
internal sealed record PodInfo(
    V1Pod Object,
    Pod Request,
    string Namespace,
    string Name,
    string? NodeName,
    bool Terminal,
    bool BerthScheduled,
    int? GpuMask,
    string? Queue,
    string? Group,
    string? OwnerJobUid)
{
    public string Key => Namespace + "/" + Name;

    public bool Bound => !string.IsNullOrEmpty(NodeName);
}
