using Berth.Model;
using Berth.Model.Queueing;

namespace Berth.Engine.Admission;

/// <summary>
/// The steps that move a workload between the scheduler's stores: submit (into its queue's pending set), admit
/// (out of it, into the admitted list of its flavor, with its placements and quota), evict (back into its queue)
/// and end (out of both). Each keeps every store and every index that depends on them current in one place:
/// the per-queue head state, the parked walks, the generation and the admitted version, and emits the event.
/// The scheduler's public members and the actions call these; nothing else writes the stores.
/// </summary>
internal sealed class WorkloadSteps(AdmissionScheduler s, Feasibility feasibility, QueueUsageHistory usage)
{
    /// <summary>Adds a workload to its queue (see <see cref="AdmissionScheduler.Submit(Workload)"/>).</summary>
    public WorkloadState Submit(Workload workload)
    {
        ArgumentNullException.ThrowIfNull(workload);
        workload.Validate();
        var queue = s.Store.QueueIndexOf(workload.Queue);
        if (queue < 0)
        {
            throw new ArgumentException($"workload {workload.Id}: queue '{workload.Queue}' does not exist; submit to one of: {string.Join(", ", s.QueueArray.Select(q => q.Name))}", nameof(workload));
        }

        if (s.Find(workload.Id) is not null)
        {
            throw new ArgumentException($"workload {workload.Id}: already submitted; workload ids must be unique", nameof(workload));
        }

        var now = s.Now;
        var state = s.Store.Register(workload, queue, now);
        s.Emit(new AdmissionEvent(now, AdmissionEventKind.Submitted, workload.Id, workload.Queue));
        if (feasibility.NeverFits(state) is { } why)
        {
            state.Phase = WorkloadPhase.Failed;
            s.SetReason(state, why);
            s.Emit(new AdmissionEvent(s.Now, AdmissionEventKind.Failed, workload.Id, workload.Queue) { Reason = nameof(PendingReasonCode.NeverFits), Detail = why.Message });
            return state;
        }

        AddPending(state);
        if (s.QueueArray[queue].Stop != StopPolicy.None)
        {
            s.SetReason(state, new PendingReason(PendingReasonCode.QueueHeld, $"queue {workload.Queue} holds new admissions") { Unblock = "release the queue's stop policy" });
        }

        return state;
    }

    /// <summary>Stops an admitted workload and requeues it behind a backoff (see <see cref="AdmissionScheduler.Evict"/>).</summary>
    public void Evict(string id, string reason, TimeSpan backoff, bool notReady)
    {
        var state = s.Find(id) ?? throw new ArgumentException($"workload {id} is unknown", nameof(id));
        if (state.Phase != WorkloadPhase.Admitted)
        {
            throw new InvalidOperationException($"workload {id} is {state.Phase}, not admitted; only admitted workloads can be evicted");
        }

        if (notReady)
        {
            state.NotReadyEvictions++;
        }

        EvictAdmitted(state, reason, null, string.Empty);
        state.BackoffUntil = s.Now + backoff;
        if (backoff > TimeSpan.Zero)
        {
            s.RetryBy(state.BackoffUntil);
            s.SetReason(state, new PendingReason(PendingReasonCode.Backoff, $"requeued after {reason}; waits until {state.BackoffUntil.TotalSeconds:0}s") { Unblock = "the backoff ends" });
        }

        usage.Record(s.Now);
    }

    /// <summary>Changes a queue's stop policy (see <see cref="AdmissionScheduler.SetStopPolicy"/>).</summary>
    public void SetStopPolicy(string queue, StopPolicy stop)
    {
        var q = s.Store.QueueIndexOf(queue);
        if (q < 0)
        {
            throw new ArgumentException($"queue '{queue}' does not exist", nameof(queue));
        }

        s.QueueArray[q] = s.QueueArray[q] with { Stop = stop };
        s.CapacityFreed();
        foreach (var w in s.PendingIn(q))
        {
            s.SetReason(w, stop == StopPolicy.None
                ? PendingReason.Queued
                : new PendingReason(PendingReasonCode.QueueHeld, $"queue {queue} holds new admissions") { Unblock = "release the queue's stop policy" });
        }
    }

    /// <summary>Commits the placements in the scheduler's scratch list as the admission of <paramref name="w"/>.</summary>
    public void Admit(WorkloadState w, int f, int[] counts, TimeSpan now)
    {
        var request = w.RequestOf(counts);
        s.Statement.AddUsage(w.QueueIndex, f, request);
        s.PendingIn(w.QueueIndex).Remove(w);
        s.HeadWakes.Removed(w.QueueIndex);
        s.Parking.Touch(w.QueueIndex);
        w.Phase = WorkloadPhase.Admitted;
        w.Flavor = f;
        w.Counts = counts;
        w.Usage = request;
        w.AdmittedAt = now;
        w.ExpectedStart = null;
        w.Placements.Clear();
        w.Placements.AddRange(s.Scratch);
        s.Scratch.Clear();
        s.Store.AdmittedIn(f).Add(w);
        s.AdmittedChanged();
        if (ReferenceEquals(s.CurrentReservation?.Holder, w))
        {
            s.CurrentReservation = null;
        }

        w.Reason = PendingReason.Queued;
        s.Emit(new AdmissionEvent(now, AdmissionEventKind.Admitted, w.Id, s.QueueArray[w.QueueIndex].Name)
        {
            Flavor = s.Flavors[f].Name,
            Pods = w.Placements.Count,
            GpuMilli = request.GpuMilli,
            Detail = string.Join(' ', w.Placements.Select(p => s.Cluster.Nodes[p.Node].Name).Distinct(StringComparer.Ordinal)),
        });
    }

    /// <summary>A workload finished or failed: what it holds is freed, and it leaves every store.</summary>
    public void End(string id, WorkloadPhase phase, string? reason)
    {
        var state = s.Find(id) ?? throw new ArgumentException($"workload {id} is unknown", nameof(id));
        var now = s.Now;
        if (state.Phase == WorkloadPhase.Admitted)
        {
            ReleaseAdmitted(state);
        }
        else if (state.Phase == WorkloadPhase.Pending)
        {
            s.PodByPod.ReleasePartial(state);
            s.PendingIn(state.QueueIndex).Remove(state);
            s.HeadWakes.Removed(state.QueueIndex);
            s.Parking.Touch(state.QueueIndex);
        }
        else
        {
            throw new InvalidOperationException($"workload {id} is already {state.Phase}");
        }

        state.Phase = phase;
        s.Spread.Forget(state);
        s.Emit(new AdmissionEvent(now, phase == WorkloadPhase.Finished ? AdmissionEventKind.Finished : AdmissionEventKind.Failed, id, s.QueueArray[state.QueueIndex].Name) { Reason = reason });
        usage.Record(s.Now);
    }

    /// <summary>Frees an admitted workload's pods and quota and puts it back in its queue (it keeps its submit time).</summary>
    public void EvictAdmitted(WorkloadState w, string reason, string? by, string detail)
    {
        var pods = w.Placements.Count;
        var gpu = w.Usage.GpuMilli;
        ReleaseAdmitted(w);
        w.Phase = WorkloadPhase.Pending;
        w.Evictions++;
        w.PendingSince = s.Now;
        w.TriedGeneration = -1;
        w.Counts = w.Workload.PodSets.Select(p => p.Count).ToArray();
        AddPending(w);
        w.Reason = PendingReason.Queued;
        s.Emit(new AdmissionEvent(s.Now, AdmissionEventKind.Evicted, w.Id, s.QueueArray[w.QueueIndex].Name) { Reason = reason, Pods = pods, GpuMilli = gpu, By = by, Detail = detail });
    }

    private void AddPending(WorkloadState w)
    {
        s.PendingIn(w.QueueIndex).Add(w);
        s.Walk.Added(w.QueueIndex);
    }

    private void ReleaseAdmitted(WorkloadState w)
    {
        foreach (var p in w.Placements)
        {
            s.ReleasePod(p.Pod, p.Node, p.GpuMask);
        }

        s.Quotas.Add(w.QueueIndex, w.Flavor, default(Resources) - w.Usage);
        s.Store.AdmittedIn(w.Flavor).Remove(w);
        s.AdmittedChanged();
        w.Placements.Clear();
        w.Usage = Resources.Zero;
        w.Flavor = -1;
        s.CapacityFreed();
    }
}
