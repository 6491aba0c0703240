using System.Globalization;
using Berth.Model.Queueing;

namespace Berth.Engine.Admission;

/// <summary>
/// The rules of a queue's <see cref="IdleGpuPolicy"/>, apart from the scheduler that applies them: when a running
/// workload is idle, whether it goes first among victims, when it is reclaimed, what its event says, and the next
/// time any of that changes. The engine sees no telemetry: the activity is what a driver last reported or what the
/// workload states; unknown activity is never idle.
/// </summary>
public static class IdleGpus
{
    /// <summary>Reason of the Idle event.</summary>
    public const string IdleReason = "IdleGpu";

    /// <summary>Reason of the failure of a workload whose idle GPUs were reclaimed.</summary>
    public const string ReclaimedReason = "IdleGpuReclaimed";

    /// <summary>
    /// One pass over the admitted workloads: an Idle event (into <paramref name="events"/>) for each newly idle one,
    /// once per admission; returns the ones to stop now, in submission order.
    /// </summary>
    internal static List<WorkloadState> Scan(IEnumerable<WorkloadState> admitted, Queue[] queues, TimeSpan now, List<AdmissionEvent> events)
    {
        var reclaim = new List<WorkloadState>();
        foreach (var w in admitted)
        {
            if (queues[w.QueueIndex].IdleGpus is not { } policy || !IsIdle(w, policy, now))
            {
                continue;
            }

            if (w.IdleReported != (w.AdmittedAt, w.Evictions))
            {
                w.IdleReported = (w.AdmittedAt, w.Evictions);
                events.Add(new AdmissionEvent(now, AdmissionEventKind.Idle, w.Id, queues[w.QueueIndex].Name) { Reason = IdleReason, Detail = Detail(w, policy) });
            }

            if (Reclaims(w, policy, now))
            {
                reclaim.Add(w);
            }
        }

        reclaim.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        return reclaim;
    }

    /// <summary>Records an observed activity on <paramref name="w"/> (null: unknown workload, ignored); true when it changed.</summary>
    internal static bool Observe(WorkloadState? w, double activity)
    {
        if (!(activity >= 0 && activity <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(activity), activity, "GPU activity is a share from 0 to 1; drop the sample");
        }

        if (w is null || w.GpuActivity == activity)
        {
            return false;
        }

        w.GpuActivity = activity;
        return true;
    }

    /// <summary>The next time any policy has something to do with the admitted workloads; MaxValue: none.</summary>
    internal static TimeSpan Next(IEnumerable<WorkloadState> admitted, Queue[] queues, TimeSpan now) =>
        admitted.Where(w => queues[w.QueueIndex].IdleGpus is not null).Select(w => NextTime(w, queues[w.QueueIndex].IdleGpus!, now)).DefaultIfEmpty(TimeSpan.MaxValue).Min();

    /// <summary>True when admitted workload <paramref name="w"/> counts as idle at <paramref name="now"/> under <paramref name="policy"/>.</summary>
    internal static bool IsIdle(WorkloadState w, IdleGpuPolicy policy, TimeSpan now) =>
        w.Phase == WorkloadPhase.Admitted && w.GpuActivity is { } a && a <= policy.Below && now - w.AdmittedAt >= policy.After;

    /// <summary>True when an idle <paramref name="w"/> goes before every other victim (PreemptFirst or Reclaim, preemptible work).</summary>
    internal static bool GoesFirst(WorkloadState w, IdleGpuPolicy? policy, TimeSpan now) =>
        policy is { Action: not IdleAction.Notify } && w.Workload.Preemptible && IsIdle(w, policy, now);

    /// <summary>True when an idle <paramref name="w"/> is stopped now: Reclaim, preemptible, idle past the grace period.</summary>
    internal static bool Reclaims(WorkloadState w, IdleGpuPolicy policy, TimeSpan now) =>
        policy.Action == IdleAction.Reclaim && w.Workload.Preemptible && IsIdle(w, policy, now) && now - w.AdmittedAt >= policy.After + policy.Grace;

    /// <summary>The next time the policy has something to do with <paramref name="w"/> (it turns idle, or its grace ends); MaxValue: none.</summary>
    internal static TimeSpan NextTime(WorkloadState w, IdleGpuPolicy policy, TimeSpan now)
    {
        if (w.GpuActivity is not { } a || a > policy.Below)
        {
            return TimeSpan.MaxValue;
        }

        var idleAt = w.AdmittedAt + policy.After;
        return idleAt > now ? idleAt
            : policy.Action == IdleAction.Reclaim && w.Workload.Preemptible && idleAt + policy.Grace > now ? idleAt + policy.Grace
            : TimeSpan.MaxValue;
    }

    /// <summary>The Idle event's detail: the activity, the threshold, and what follows.</summary>
    internal static string Detail(WorkloadState w, IdleGpuPolicy policy)
    {
        var activity = (w.GpuActivity ?? 0).ToString("P0", CultureInfo.InvariantCulture);
        var limit = policy.Below.ToString("P0", CultureInfo.InvariantCulture);
        var minutes = policy.After.TotalMinutes.ToString("0", CultureInfo.InvariantCulture);
        return policy.Action switch
        {
            IdleAction.Reclaim when w.Workload.Preemptible => $"GPU activity {activity} (at most {limit}) for {minutes} min; stopped and its GPUs freed in {policy.Grace.TotalMinutes.ToString("0", CultureInfo.InvariantCulture)} min unless it gets busy",
            IdleAction.PreemptFirst or IdleAction.Reclaim when w.Workload.Preemptible => $"GPU activity {activity} (at most {limit}) for {minutes} min; first in line when GPUs must be taken back",
            _ => $"GPU activity {activity} (at most {limit}) for {minutes} min",
        };
    }
}
