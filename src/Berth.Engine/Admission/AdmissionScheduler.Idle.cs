using System.Globalization;
using Berth.Model.Queueing;

namespace Berth.Engine.Admission;

// Idle GPUs under a queue's idle-GPU policy. The engine sees no telemetry: a driver reports how busy a running
// workload's GPUs are (ObserveActivity: DCGM through Prometheus, nvidia-smi, a simulation's model), or the workload
// states it (Workload.GpuActivity). A running workload that has held its GPUs for at least the policy's 'after' with
// activity at or below 'below' is idle: an Idle event says so once per admission; PreemptFirst and Reclaim make it
// the first victim (its eviction candidate key is below every real loss); Reclaim stops a preemptible one still idle
// 'grace' later. Every time involved is a wake-up, so a driver that sleeps until NextWakeUp misses none.
public sealed partial class AdmissionScheduler
{
    /// <summary>Reason of the Idle event, and of the failure of a workload whose idle GPUs were reclaimed.</summary>
    public const string IdleGpuReason = "IdleGpu";

    public const string IdleReclaimedReason = "IdleGpuReclaimed";

    private bool _idlePolicies;

    /// <summary>
    /// Records how busy the GPUs of workload <paramref name="id"/> are now, 0 to 1 (the driver's telemetry). Ignored
    /// for a workload that is not known; an activity outside 0 to 1, NaN included, is refused (telemetry that lies
    /// must not evict anything).
    /// </summary>
    public void ObserveActivity(string id, double activity)
    {
        if (!(activity >= 0 && activity <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(activity), activity, "GPU activity is a share from 0 to 1; drop the sample");
        }

        if (_workloads.GetValueOrDefault(id) is { } state && state.GpuActivity != activity)
        {
            state.GpuActivity = activity;
            _admittedVersion++; // the victim lists' order may change; what fits does not, so heads are not retried
        }
    }

    /// <summary>True when admitted workload <paramref name="w"/> counts as idle at <paramref name="now"/> under <paramref name="policy"/>.</summary>
    private static bool IsIdle(WorkloadState w, IdleGpuPolicy policy, TimeSpan now) =>
        w.Phase == WorkloadPhase.Admitted && w.GpuActivity is { } a && a <= policy.Below && now - w.AdmittedAt >= policy.After;

    /// <summary>True when an idle victim of <paramref name="w"/>'s queue goes before every other (PreemptFirst or Reclaim, preemptible work).</summary>
    private bool GoesFirstAsIdle(WorkloadState w, TimeSpan now) =>
        _queues[w.QueueIndex].IdleGpus is { Action: not IdleAction.Notify } policy && w.Workload.Preemptible && IsIdle(w, policy, now);

    /// <summary>Step 0 of a cycle: report newly idle workloads, and stop those whose idle GPUs are reclaimed.</summary>
    private void ApplyIdlePolicies(TimeSpan now)
    {
        if (!_idlePolicies)
        {
            return;
        }

        List<WorkloadState>? reclaim = null;
        foreach (var list in _admittedByFlavor)
        {
            foreach (var w in list)
            {
                if (_queues[w.QueueIndex].IdleGpus is not { } policy || !IsIdle(w, policy, now))
                {
                    continue;
                }

                var admission = (w.AdmittedAt, w.Evictions);
                if (w.IdleReported != admission)
                {
                    w.IdleReported = admission;
                    Emit(new AdmissionEvent(now, AdmissionEventKind.Idle, w.Id, _queues[w.QueueIndex].Name)
                    {
                        Reason = IdleGpuReason,
                        Detail = IdleDetail(w, policy),
                    });
                }

                if (policy.Action == IdleAction.Reclaim && w.Workload.Preemptible && now - w.AdmittedAt >= policy.After + policy.Grace)
                {
                    (reclaim ??= []).Add(w);
                }
            }
        }

        foreach (var w in (reclaim ?? []).OrderBy(w => w.Sequence))
        {
            End(w.Id, WorkloadPhase.Failed, IdleReclaimedReason);
        }
    }

    private static string IdleDetail(WorkloadState w, IdleGpuPolicy policy)
    {
        var activity = (w.GpuActivity ?? 0).ToString("P0", CultureInfo.InvariantCulture);
        var limit = policy.Below.ToString("P0", CultureInfo.InvariantCulture);
        return policy.Action switch
        {
            IdleAction.Reclaim when w.Workload.Preemptible => $"GPU activity {activity} (at most {limit}) for {policy.After.TotalMinutes:0} min; stopped and its GPUs freed in {policy.Grace.TotalMinutes:0} min unless it gets busy",
            IdleAction.PreemptFirst or IdleAction.Reclaim when w.Workload.Preemptible => $"GPU activity {activity} (at most {limit}) for {policy.After.TotalMinutes:0} min; first in line when GPUs must be taken back",
            _ => $"GPU activity {activity} (at most {limit}) for {policy.After.TotalMinutes:0} min",
        };
    }

    /// <summary>The next time an idle-GPU policy has something to do (a workload turns idle, or its grace ends); MaxValue: none.</summary>
    private TimeSpan NextIdleTime(TimeSpan now)
    {
        var next = TimeSpan.MaxValue;
        if (!_idlePolicies)
        {
            return next;
        }

        foreach (var list in _admittedByFlavor)
        {
            foreach (var w in list)
            {
                if (_queues[w.QueueIndex].IdleGpus is not { } policy || w.GpuActivity is not { } a || a > policy.Below)
                {
                    continue;
                }

                var idleAt = w.AdmittedAt + policy.After;
                var at = idleAt > now ? idleAt
                    : policy.Action == IdleAction.Reclaim && w.Workload.Preemptible && idleAt + policy.Grace > now ? idleAt + policy.Grace
                    : TimeSpan.MaxValue;
                next = at < next ? at : next;
            }
        }

        return next;
    }
}
