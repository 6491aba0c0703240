using k8s.Models;

namespace Berth.Kubernetes.Controller;

/// <summary>
/// Bind a pod to a node with its GPU assignment annotations. <paramref name="Claims"/>: the pod's DRA claims, created,
/// allocated and reserved for it before the binding (none when null).
/// </summary>
public sealed record BindAction(string Namespace, string Pod, string Node, IReadOnlyDictionary<string, string> Annotations, string Workload, IReadOnlyList<Dra.ClaimWrite>? Claims = null);

/// <summary>
/// Admit a suspended Job: write the admission record and the flavor's node selector and tolerations, then unsuspend it.
/// <paramref name="Kind"/> is <c>Job</c>, or the kind of a job framework's object (resumed the same way through its own suspend field).
/// </summary>
public sealed record AdmitJobAction(string Namespace, string Name, AdmissionRecord Record, IReadOnlyDictionary<string, string> NodeSelector, IReadOnlyList<V1Toleration> Tolerations, string Kind = "Job");

/// <summary>
/// Suspend a running Job again (preempted, reclaimed, or its node became unhealthy); it keeps its place in its queue.
/// <paramref name="Annotations"/> are set in the same write (a Job stopped for good carries why, or it would be admitted again).
/// <paramref name="Kind"/> is <c>Job</c>, or the kind of a job framework's object.
/// </summary>
public sealed record SuspendJobAction(string Namespace, string Name, string Reason, string Message, IReadOnlyDictionary<string, string>? Annotations = null, string Kind = "Job");

/// <summary>Evict a pod through the Eviction API.</summary>
public sealed record EvictPodAction(string Namespace, string Pod, string Reason, string Message, string Workload);

/// <summary>Set or clear (null) annotations on a Job (pending reason) or on one of Berth's objects.</summary>
public sealed record AnnotateAction(string Kind, string? Namespace, string Name, IReadOnlyDictionary<string, string?> Annotations);

/// <summary>Write the status of one of Berth's objects (plural of the resource, namespace for namespaced kinds).</summary>
public sealed record StatusAction(string Plural, string? Namespace, string Name, object Status);

/// <summary>Mark a pod <c>PodScheduled=False</c> with Berth's reason.</summary>
public sealed record UnschedulableAction(string Namespace, string Pod, string Reason, string Message);

/// <summary>Ask a pod to checkpoint (annotation <c>berth.dev/checkpoint-requested</c>) before its node is reclaimed; written before any suspension or eviction.</summary>
public sealed record CheckpointPodAction(string Namespace, string Pod, string RequestedAt, string Workload);

/// <summary>An event to record about an object.</summary>
public sealed record EventAction(V1ObjectReference About, string Type, string Reason, string Message);

/// <summary>Set Berth's GPU-health condition on a node (<see cref="KubernetesNames.GpuHealthCondition"/>; strategic merge on its status).</summary>
public sealed record NodeConditionAction(string Node, bool Healthy, string Reason, string Message);
