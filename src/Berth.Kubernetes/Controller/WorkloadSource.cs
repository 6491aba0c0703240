using Berth.Model.Queueing;
using k8s.Models;

namespace Berth.Kubernetes.Controller;

/// <summary>What a workload comes from on the cluster.</summary>
internal enum SourceKind
{
    /// <summary>A <c>batch/v1</c> Job with a queue label: admitted by unsuspending it.</summary>
    Job,

    /// <summary>A Berth <c>PodGroup</c> and the pods that name it.</summary>
    PodGroup,

    /// <summary>Plain pods that share a <c>scheduling.x-k8s.io/pod-group</c> label but have no PodGroup object.</summary>
    Gang,

    /// <summary>One pod for Berth to schedule, alone.</summary>
    Pod,

    /// <summary>A job framework's object with a queue label (JobSet, TrainJob, PyTorchJob, RayJob, RayCluster): admitted by resuming it, as a Job.</summary>
    Framework,
}

/// <summary>One workload as found on the cluster: the model workload, its member pods (with their pod set), and its admission record.</summary>
internal sealed class WorkloadSource
{
    public required SourceKind Kind { get; init; }

    public required string Id { get; init; }

    public required string Namespace { get; init; }

    public required string Name { get; init; }

    public required Workload Workload { get; init; }

    public required V1ObjectReference Reference { get; init; }

    public required DateTimeOffset Created { get; init; }

    /// <summary>Member pods (not terminal), ordered by name, each with its pod set.</summary>
    public List<(PodInfo Pod, int PodSet)> Members { get; } = [];

    public AdmissionRecord? Record { get; init; }

    /// <summary>True when the cluster says it runs (an unsuspended Job with a record, or a group with bound pods).</summary>
    public bool Admitted { get; init; }

    /// <summary>Pods the workload needs before it can be tried (a pod group with fewer members than its min member).</summary>
    public int MissingMembers { get; init; }

    /// <summary>Times it was requeued because its pods did not all become ready in time, or an admission check said Retry (annotation <c>berth.dev/requeues</c>).</summary>
    public int Requeues { get; init; }

    /// <summary>Not tried again before this time (annotation <c>berth.dev/backoff-until</c>).</summary>
    public DateTimeOffset? BackoffUntil { get; init; }

    /// <summary>When all its pods were first seen ready (annotation <c>berth.dev/pods-ready-at</c>); the ready timeout no longer applies.</summary>
    public DateTimeOffset? PodsReadyAt { get; init; }

    /// <summary>When its queue reclaimed its idle GPUs (annotation <c>berth.dev/idle-reclaimed</c>); not admitted again while set.</summary>
    public string? IdleReclaimedAt { get; init; }

    /// <summary>When it was stopped for running past its max run time (annotation <c>berth.dev/max-run-time-exceeded</c>); not admitted again while set.</summary>
    public string? MaxRunTimeExceededAt { get; init; }

    /// <summary>
    /// True when its record only reserves quota: its queue names admission checks and not all were ready when it was
    /// reserved (annotation <c>berth.dev/quota-reserved</c>); it does not start until they are.
    /// </summary>
    public bool QuotaReserved { get; init; }

    /// <summary>When an admission check rejected it (annotation <c>berth.dev/admission-check-rejected</c>); not admitted again while set.</summary>
    public string? CheckRejectedAt { get; init; }

    /// <summary>Why it cannot be tried at all (no queue, an invalid spec): a pending reason code and its message.</summary>
    public (string Code, string Message)? Problem { get; init; }

    /// <summary>A copy that cannot be tried, for <paramref name="code"/>: <paramref name="message"/>.</summary>
    public WorkloadSource WithProblem(string code, string message)
    {
        var copy = new WorkloadSource
        {
            Kind = Kind,
            Id = Id,
            Namespace = Namespace,
            Name = Name,
            Workload = Workload,
            Reference = Reference,
            Created = Created,
            Record = Record,
            Admitted = Admitted,
            MissingMembers = MissingMembers,
            Owner = Owner,
            Requeues = Requeues,
            BackoffUntil = BackoffUntil,
            PodsReadyAt = PodsReadyAt,
            IdleReclaimedAt = IdleReclaimedAt,
            MaxRunTimeExceededAt = MaxRunTimeExceededAt,
            QuotaReserved = QuotaReserved,
            CheckRejectedAt = CheckRejectedAt,
            Problem = (code, message),
            Anchor = Anchor,
        };
        copy.Members.AddRange(Members);
        return copy;
    }

    /// <summary>The Job, PodGroup or framework object (for status comparisons); null for plain pods.</summary>
    public object? Owner { get; init; }

    /// <summary>
    /// For pods with no object of their own (a label-only gang, a LeaderWorkerSet group, a lone pod) in a queue with
    /// admission checks: the member that carries the reservation and the checks' states, the first by name (stable
    /// while the pods live). Deleting it loses the reservation, and the workload starts over. Null otherwise.
    /// </summary>
    public PodInfo? Anchor { get; init; }

    /// <summary>A copy whose admission state is read from <paramref name="anchor"/>'s annotations.</summary>
    public WorkloadSource WithAnchor(PodInfo anchor, AdmissionRecord? record, bool reserved, int requeues, DateTimeOffset? backoffUntil, string? rejectedAt)
    {
        var copy = new WorkloadSource
        {
            Kind = Kind,
            Id = Id,
            Namespace = Namespace,
            Name = Name,
            Workload = Workload,
            Reference = Reference,
            Created = Created,
            Record = record,
            Admitted = Admitted || record is not null,
            MissingMembers = MissingMembers,
            Owner = Owner,
            Requeues = requeues,
            BackoffUntil = backoffUntil,
            PodsReadyAt = PodsReadyAt,
            IdleReclaimedAt = IdleReclaimedAt,
            MaxRunTimeExceededAt = MaxRunTimeExceededAt,
            QuotaReserved = record is not null && reserved,
            CheckRejectedAt = rejectedAt,
            Problem = Problem,
            Anchor = anchor,
        };
        copy.Members.AddRange(Members);
        return copy;
    }
}
