using System.Globalization;
using Berth.Runtime.Cycle;
using Berth.Runtime.Lifecycle;
using Berth.Runtime.Plan;

namespace Berth.Kubernetes.Controller;

/// <summary>
/// Admission checks (Kueue's semantics, on Berth's objects). A workload whose queue names checks is first only
/// reserved: its admission record is written with <see cref="KubernetesNames.QuotaReservedAnnotation"/>, which
/// charges its quota (and keeps a PodGroup's planned nodes) while the Job stays suspended and the pods unbound, and
/// each check's state annotation is set to <c>Pending</c> for its controller to answer. Then, cycle by cycle:
/// every check <c>Ready</c>: it starts (the record is written anew with the start time, the reservation mark goes);
/// a <c>Retry</c>: the reservation is released and it waits in its queue again with backoff (failing past the
/// backoff limit); a <c>Rejected</c>: it stops for good; otherwise it keeps waiting with reason
/// <see cref="ChecksPendingReason"/>.
/// </summary>
public sealed partial class DecisionPlanner
{
    /// <summary>Pending reason of a workload whose quota is reserved while its admission checks are not all ready.</summary>
    public const string ChecksPendingReason = "AdmissionChecksPending";

    /// <summary>Reason of a workload an admission check rejected, or that ran out of retries.</summary>
    public const string CheckRejectedReason = WorkloadLifecycle.AdmissionCheckRejectedReason;

    /// <summary>The admission checks its queue names (none when the queue is unknown).</summary>
    private IReadOnlyList<string> ChecksOf(WorkloadSource source) =>
        _config.Queues.FirstOrDefault(q => q.Name == source.Workload.Queue)?.AdmissionChecks ?? [];

    private IReadOnlyList<CheckStatus> CheckStates(WorkloadSource source) =>
        CheckStatus.Read(MetaOf(source), ChecksOf(source));

    private bool ChecksReady(WorkloadSource source) => CheckStates(source).All(c => c.State == AdmissionCheckState.Ready);

    /// <summary>Workloads whose pods are not bound in this cycle: reserved now, or reserved before with checks not all ready.</summary>
    private HashSet<string> Gated(CyclePlan cycle, IReadOnlyDictionary<string, WorkloadSource> sources)
    {
        var gated = cycle.Steps.OfType<AdmitStep>().Where(a => ChecksOf(sources[a.Workload]).Count > 0).Select(a => a.Workload).ToHashSet(StringComparer.Ordinal);
        foreach (var source in _sources.Where(s => s.QuotaReserved && !ChecksReady(s)))
        {
            gated.Add(source.Id);
        }

        return gated;
    }

    /// <summary>Reserves quota for a workload whose queue names admission checks, and asks each check anew.</summary>
    private void Reserve(WorkloadSource source, AdmitStep admit)
    {
        var record = Seal.Sign(new AdmissionRecord
        {
            Flavor = admit.Flavor.Name,
            AdmittedAt = admit.Memo.AdmittedAt,
            Pods = admit.Memo.Pods.Select(p => new PlannedPod(p.PodSet, p.Node, GpuList(p.GpuMask), p.GpuMilli)).ToArray(),
        }, SealUid(source));
        var annotations = new Dictionary<string, string?>
        {
            [AdmissionRecord.AnnotationName] = record.ToJson(),
            [KubernetesNames.QuotaReservedAnnotation] = Stamp(_snapshot.Now),
        };
        foreach (var check in ChecksOf(source))
        {
            annotations[CheckStatus.AnnotationOf(check)] = CheckStatus.PendingValue; // a state left from an earlier reservation is not this one's answer
        }

        var checks = string.Join(", ", ChecksOf(source));
        _plan.Annotations.Add(new AnnotateAction(KindOf(source), source.Namespace, TargetOf(source), annotations));
        _plan.Events.Add(new EventAction(source.Reference, "Normal", "QuotaReserved", $"quota reserved by queue {source.Workload.Queue} in flavor {admit.Flavor.Name}; it starts when admission checks {checks} are all Ready"));
        MarkPending(source, ChecksPendingReason, $"quota reserved in flavor {admit.Flavor.Name}; waiting for admission checks: {CheckStatus.Describe(ChecksOf(source).Select(c => new CheckStatus(c, AdmissionCheckState.Pending, null)))}", admit.Flavor.Name);
    }

    /// <summary>A reserved workload, cycle by cycle: start it, release it, stop it, or let it wait, by its checks' states.</summary>
    private void OnReserved(WorkloadSource source, string flavorName)
    {
        var states = CheckStates(source);
        var record = source.Record!;
        if (states.FirstOrDefault(c => c.State == AdmissionCheckState.Rejected) is { } rejected)
        {
            Stop(source, CheckRejectedReason, $"admission check {rejected.Name} rejected it{(rejected.Message is { Length: > 0 } m ? ": " + m : string.Empty)}; its quota reservation is released");
            return;
        }

        if (states.Where(c => c.State == AdmissionCheckState.Retry).ToArray() is { Length: > 0 } retry)
        {
            Retry(source, retry);
            return;
        }

        if (states.Any(c => c.State != AdmissionCheckState.Ready))
        {
            MarkPending(source, ChecksPendingReason, $"quota reserved in flavor {flavorName}; waiting for admission checks: {CheckStatus.Describe(states)}", flavorName);
            return;
        }

        // Every check is ready: it starts now (the pods-ready timeout and max run time count from here).
        var started = Seal.Sign(record with { AdmittedAt = _snapshot.Now, Seal = null }, SealUid(source));
        _plan.Admitted[source.Workload.Queue] = _plan.Admitted.GetValueOrDefault(source.Workload.Queue) + 1;
        _plan.Events.Add(new EventAction(source.Reference, "Normal", "Admitted", $"admitted by queue {source.Workload.Queue} in flavor {flavorName}: admission checks {CheckStatus.Describe(states)}"));
        var flavor = _config.Flavors.First(f => f.Name == flavorName);
        switch (source.Kind)
        {
            case SourceKind.Job or SourceKind.Framework:
                _plan.JobAdmissions.Add(new AdmitJobAction(source.Namespace, source.Name, started, flavor.NodeLabels, flavor.Tolerations.Select(ToV1).ToArray(), KindOf(source)));
                break;
            case SourceKind.PodGroup:
                _plan.Annotations.Add(new AnnotateAction(Api.PodGroup.KubeKind, source.Namespace, source.Name, new Dictionary<string, string?> { [AdmissionRecord.AnnotationName] = started.ToJson(), [KubernetesNames.QuotaReservedAnnotation] = null }));
                _plan.ObjectStatuses.Add(PodGroupStatus(source, "Admitted", null, null, flavorName));
                break;
            case SourceKind.Gang or SourceKind.Pod when source.Anchor is not null:
                // Its pods are bound in this very cycle (no longer gated); the record stays on the first pod while it runs.
                _plan.Annotations.Add(new AnnotateAction("Pod", source.Namespace, source.Anchor.Name, new Dictionary<string, string?> { [AdmissionRecord.AnnotationName] = started.ToJson(), [KubernetesNames.QuotaReservedAnnotation] = null }));
                break;
        }
    }

    /// <summary>A check asked to retry: the reservation is released and the workload waits in its queue with doubling backoff; past the limit it stops.</summary>
    private void Retry(WorkloadSource source, IReadOnlyList<CheckStatus> retry)
    {
        var options = _options.ToAdmissionOptions();
        var next = WorkloadLifecycle.NextRequeue(source.Requeues, options);
        var why = $"admission check {CheckStatus.Describe(retry)} asked to retry";
        if (next.Fails)
        {
            Stop(source, CheckRejectedReason, $"{why}; retried {source.Requeues} times, past the limit of {options.BackoffLimit}");
            return;
        }

        // A check may ask for a later retry than the backoff gives (the provisioning check's own backoff): the later one holds.
        var until = source.BackoffUntil is { } asked && asked > _snapshot.Now + next.Backoff ? asked : _snapshot.Now + next.Backoff;
        var message = $"{why}; its quota reservation is released and it is tried again after {(until - _snapshot.Now).TotalSeconds:0}s (attempt {next.Attempt} of {options.BackoffLimit})";
        var annotations = new Dictionary<string, string?>
        {
            [AdmissionRecord.AnnotationName] = null,
            [KubernetesNames.QuotaReservedAnnotation] = null,
            [KubernetesNames.RequeuesAnnotation] = next.Attempt.ToString(CultureInfo.InvariantCulture),
            [KubernetesNames.BackoffUntilAnnotation] = Stamp(until),
        };
        foreach (var check in ChecksOf(source))
        {
            annotations[CheckStatus.AnnotationOf(check)] = CheckStatus.PendingValue;
        }

        _plan.Events.Add(new EventAction(source.Reference, "Warning", EvictionReason.AdmissionCheckRetry.Code(), message));
        _plan.Annotations.Add(new AnnotateAction(KindOf(source), source.Namespace, TargetOf(source), annotations));
        if (source.Kind == SourceKind.PodGroup)
        {
            _plan.ObjectStatuses.Add(PodGroupStatus(source, "Pending", EvictionReason.AdmissionCheckRetry.Code(), message, null));
        }
    }

    /// <summary>The uid its admission record is sealed for: the object that carries it (the anchor pod for pods without one).</summary>
    private static string? SealUid(WorkloadSource source) => source.Anchor?.Object.Metadata?.Uid ?? source.Reference.Uid;

    /// <summary>The name of the object its annotations go to (see <see cref="KindOf"/>).</summary>
    private static string TargetOf(WorkloadSource source) => source.Anchor?.Name ?? source.Name;

    /// <summary>What a workload an admission check rejected says while it stays stopped.</summary>
    private static string RejectedMessage(WorkloadSource source, string at) =>
        $"an admission check of queue {source.Workload.Queue} rejected it at {at}; it is not admitted again: submit it anew, or remove the annotation {KubernetesNames.AdmissionCheckRejectedAnnotation} to try again";
}
