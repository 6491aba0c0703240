using System.Globalization;
using Berth.Engine.Admission;
using Berth.Runtime.View;

namespace Berth.Runtime.Lifecycle;

/// <summary>
/// The lifecycle rules of a workload, written once for every driver: the pods-ready timeout, requeue with doubling
/// backoff, failure past the backoff limit, and leaving nodes that became unhealthy.
/// </summary>
public static class WorkloadLifecycle
{
    /// <summary>
    /// The next retry of a workload already requeued <paramref name="previous"/> times (pods not ready, an admission
    /// check's retry): the backoff doubles from <see cref="AdmissionOptions.BackoffBase"/>; once
    /// <see cref="AdmissionOptions.BackoffLimit"/> retries were given, it fails instead.
    /// </summary>
    public static RequeueDecision NextRequeue(int previous, AdmissionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(previous);
        return new RequeueDecision(previous + 1, previous >= options.BackoffLimit, options.BackoffBase * Math.Pow(2, previous));
    }

    /// <summary>
    /// Whether the gang of a workload that needs <paramref name="startup"/> to have its pods ready misses the
    /// pods-ready timeout: then it is requeued at admission + timeout instead of starting.
    /// </summary>
    public static bool MissesReadyTimeout(TimeSpan startup, TimeSpan timeout) => startup > timeout;

    /// <summary>True when an admitted workload whose pods are not all ready is past its pods-ready timeout at <paramref name="now"/>.</summary>
    public static bool IsLate(DateTimeOffset admittedAt, DateTimeOffset now, TimeSpan timeout) => now - admittedAt > timeout;

    /// <summary>
    /// Why a workload that is not running is not tried in this cycle: failed after too many requeues, or still in
    /// its backoff. Null when it may be tried.
    /// </summary>
    public static ViewProblem? HeldBack(int requeues, DateTimeOffset? backoffUntil, DateTimeOffset now, AdmissionOptions options, string requeuesField)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (requeues > options.BackoffLimit)
        {
            return new ViewProblem(EvictionReason.GangNotReady.Code(), $"failed: its pods did not all become ready within {options.GangReadyTimeout.TotalSeconds:0}s in {requeues} admissions; fix what keeps them from starting, then remove the annotation {requeuesField} to try again");
        }

        if (backoffUntil is { } until && until > now)
        {
            return new ViewProblem(nameof(PendingReasonCode.Backoff), string.Create(CultureInfo.InvariantCulture, $"requeued {requeues} time(s) because its pods did not all become ready; tried again after {until.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}"));
        }

        return null;
    }

    /// <summary>The stop reason of a workload that ran past its max run time.</summary>
    public const string MaxRunTimeExceededReason = "MaxRunTimeExceeded";

    /// <summary>The failure reason of a workload whose admission checks asked for more retries than the backoff limit allows.</summary>
    public const string AdmissionCheckRejectedReason = "AdmissionCheckRejected";

    /// <summary>
    /// How long a workload that already ran <paramref name="ranBefore"/> (kept by checkpoints across evictions) runs
    /// this time when its work needs <paramref name="run"/>: all of it, or only up to <paramref name="maxRunTime"/>,
    /// after which it <c>Stops</c> for good with <see cref="MaxRunTimeExceededReason"/>.
    /// </summary>
    public static (TimeSpan Run, bool Stops) CapAtMaxRunTime(TimeSpan run, TimeSpan ranBefore, TimeSpan? maxRunTime) =>
        maxRunTime is { } max && ranBefore + run > max
            ? (max - ranBefore > TimeSpan.Zero ? max - ranBefore : TimeSpan.Zero, true)
            : (run, false);

    /// <summary>
    /// Why a running workload must stop for good at <paramref name="now"/>: it has run its max run time since it was
    /// admitted. Null when it may go on. Only workloads whose pods Berth places as a group are stopped here: a Job's or
    /// a lone pod's max run time is its <c>activeDeadlineSeconds</c>, which its own controller (or the kubelet) enforces.
    /// </summary>
    public static string? PastMaxRunTime(ViewWorkload workload, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(workload);
        if (workload.Kind is not (WorkloadKind.PodGroup or WorkloadKind.Gang) || workload.Workload.MaxRunTime is not { } max || workload.Memo is not { } memo)
        {
            return null;
        }

        var ran = now - memo.AdmittedAt;
        return ran >= max
            ? string.Create(CultureInfo.InvariantCulture, $"it ran {ran.TotalSeconds:0}s since its admission at {memo.AdmittedAt.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}, past its maxRunTime of {max.TotalSeconds:0}s; it is not admitted again: submit it anew (with a longer spec.maxRunTime if it needs one)")
            : null;
    }

    /// <summary>
    /// Why a running workload must leave its nodes before they are reclaimed: a bound pod on a node with a
    /// termination notice. Null when none of its nodes has one.
    /// </summary>
    public static string? OnReclaimedNode(ViewWorkload workload, IReadOnlyDictionary<string, ViewNode> nodes)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(nodes);
        foreach (var pod in workload.Members.Where(m => m.Bound))
        {
            if (nodes.TryGetValue(pod.Node!, out var node) && node.TerminationNotice is { } notice)
            {
                return $"node {pod.Node} of pod {pod.Name} is being reclaimed ({notice}); the workload was asked to checkpoint and goes back to its queue";
            }
        }

        return null;
    }

    /// <summary>Why a running workload must leave its nodes: a pod on a node that is gone or not ready, or on an unhealthy GPU. Null when it may stay.</summary>
    public static string? UnhealthyMember(ViewWorkload workload, IReadOnlyDictionary<string, ViewNode> nodes)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(nodes);
        foreach (var pod in workload.Members)
        {
            if (!pod.Bound)
            {
                continue;
            }

            if (!nodes.TryGetValue(pod.Node!, out var node))
            {
                return $"pod {pod.Name} is bound to node {pod.Node}, which is gone";
            }

            if (!node.Healthy)
            {
                return $"node {pod.Node} of pod {pod.Name} is not ready";
            }

            if (pod.GpuMask is { } placed && Gpus.GpusHeld(pod.Request, placed) is var mask && (mask & node.UnhealthyGpuMask) != 0)
            {
                return $"pod {pod.Name} runs on unhealthy GPU(s) {Gpus.Format(mask & node.UnhealthyGpuMask)} of node {pod.Node}";
            }

            var all = node.AllGpus;
            if (pod.GpuMask is null && pod.UsesGpu && node.Node.GpuCount > 0 && (node.UnhealthyGpuMask & all) == all)
            {
                return $"pod {pod.Name} uses GPUs of node {pod.Node}, whose GPUs are all unhealthy";
            }
        }

        return null;
    }
}
