using Berth.Kubernetes.Translation;
using Berth.Model;
using k8s.Models;

namespace Berth.Kubernetes.Controller;

/// <summary>A pod as the planner reads it: its request, where it is bound (and on which GPUs), and what it belongs to.</summary>
internal sealed record PodInfo(V1Pod Object, PodView View, int? GpuMask)
{
    public Pod Request => View.Pod;

    public string Namespace => View.Namespace;

    public string Name => View.Name;

    public string? NodeName => View.NodeName;

    public bool Terminal => View.Terminal;

    /// <summary>Being deleted (evicted, its Job suspended): it still holds its node until it is gone, but belongs to no running workload.</summary>
    public bool Terminating => Object.Metadata?.DeletionTimestamp is not null;

    public bool BerthScheduled => View.IsBerthScheduled;

    /// <summary>namespace/name, computed once: the planner sorts and looks pods up by it (50,000 pods: millions of reads).</summary>
    public string Key { get; } = View.Key;

    public bool Bound => View.IsBound;

    /// <summary>True when the pod asks for any GPU, whole or a share.</summary>
    public bool UsesGpu => Request.GpuCount > 0 || Request.GpuMilli > 0;
}
