using Berth.Engine.Admission.Actions;
using Berth.Model.Queueing;

namespace Berth.Engine.Admission;

/// <summary>
/// Steps 1 to 6 of one admission cycle (see <see cref="AdmissionScheduler"/>), repeated in rounds until a round
/// admits nothing new: drain, the actions' start of round, heads, order, then each head through the profile's
/// actions in the order the profile names them (least disruptive first) within one session, and the reason of each
/// that waits. The scheduler keeps the stores; this keeps the recipe.
/// </summary>
internal sealed class AdmissionCycle(AdmissionScheduler s, IAdmissionAction[] actions)
{
    private readonly bool _starvationMatters = actions.Any(a => a.StarvationMatters);

    /// <summary>Runs the rounds of one cycle at <paramref name="now"/>; returns how many workloads were admitted.</summary>
    public int Run(TimeSpan now)
    {
        // 1. Drain.
        Drain();
        s.Walk.Restart(s.Generation);
        s.Parking.Update();
        var session = new AdmissionSession(s, now);
        var admitted = 0;
        var candidates = new List<WorkloadState>();
        var rounds = 0;
        var roundLimit = 4L * (s.Store.Count + 16) * (s.Store.Count + 16);
        while (true)
        {
            if (++rounds > roundLimit)
            {
                throw new InvalidOperationException($"admission did not settle after {rounds} rounds; last events: {string.Join(" | ", s.Store.LastEvents(12))}");
            }

            // 2. The actions' start of round (the backfill action reserves nodes for a starving head).
            foreach (var action in actions)
            {
                action.BeginRound(session);
            }

            // 3. Heads.
            candidates.Clear();
            CollectHeads(now, candidates);

            if (candidates.Count == 0)
            {
                break;
            }

            // 4. Order.
            s.OrderCandidates(candidates, now);

            // 5-6. Try each.
            var admittedNow = TryCandidates(session, candidates, rounds, now);
            admitted += admittedNow;
            var progress = admittedNow > 0;

            if (!progress && candidates.All(c => c.TriedGeneration == s.Generation))
            {
                // Every head was tried and failed; BestEffortFIFO queues may have more behind them.
                if (!HasUntried())
                {
                    break;
                }
            }
        }

        return admitted;
    }

    /// <summary>
    /// After a cycle: the earliest time a cycle could decide differently with nothing else happening (a head's backoff
    /// ends, a head starts to starve when an action of the profile cares, an idle workload's times); every head is
    /// retried then. Null when there is none.
    /// </summary>
    public TimeSpan? WakeUp(TimeSpan now)
    {
        var next = s.RetryAt;
        for (var q = 0; q < s.QueueArray.Length; q++)
        {
            // Only heads matter for starvation; backoff of later ones shows once they are heads.
            var head = s.HeadWakes.Of(q, s.Walk.Version(q), s.PendingIn(q));
            if (head.Any)
            {
                if (head.BackoffUntil > now && head.BackoffUntil < next)
                {
                    next = head.BackoffUntil;
                }

                if (_starvationMatters && head.PendingSince + s.Options.StarvationThreshold > now && head.PendingSince + s.Options.StarvationThreshold < next)
                {
                    next = head.PendingSince + s.Options.StarvationThreshold;
                }
            }
        }

        // A head that starts to starve may now get a reservation or a consolidation: retry everything then.
        s.RetryAt = next;

        // An idle workload's times need a cycle (report, reclaim), not a retry of every head.
        var idle = s.IdlePolicies ? IdleGpus.Next(s.Store.Admitted, s.QueueArray, now) : TimeSpan.MaxValue;
        next = idle < next ? idle : next;
        return next == TimeSpan.MaxValue ? null : next;
    }

    /// <summary>Steps 5-6 for one round, in order; returns how many were admitted. The list may grow (<see cref="QueueParking"/>).</summary>
    private int TryCandidates(AdmissionSession session, List<WorkloadState> candidates, int round, TimeSpan now)
    {
        var admitted = 0;
        s.Parking.BeginRound(candidates, round);
        for (var i = 0; i < candidates.Count; i++)
        {
            var w = candidates[i];
            s.Parking.At(i);
            if (w.Phase != WorkloadPhase.Pending)
            {
                s.Parking.Tried(w, tried: false, admitted: false);
                continue; // preempted and requeued by an earlier candidate of this round: tried next round
            }

            if (s.Options.Gangs && s.Failures.IsDominated(w))
            {
                w.TriedGeneration = s.Generation; // an earlier candidate of this round, no larger, just failed the same way
                s.Parking.Tried(w, tried: false, admitted: false);
                continue;
            }

            var ok = s.Options.Gangs ? TryAdmit(session, w) : s.PodByPod.TryPlace(w, now);
            s.Parking.Tried(w, tried: true, admitted: ok);
            if (ok)
            {
                admitted++;
            }
            else
            {
                w.TriedGeneration = s.Generation;
            }
        }

        s.Parking.EndRound();
        return admitted;
    }

    /// <summary>Step 1: queues whose stop policy is HoldAndDrain have their admitted workloads evicted.</summary>
    private void Drain()
    {
        for (var q = 0; q < s.QueueArray.Length; q++)
        {
            if (s.QueueArray[q].Stop == StopPolicy.HoldAndDrain)
            {
                for (var f = 0; f < s.Flavors.Count; f++)
                {
                    var flavorList = s.Store.AdmittedIn(f);
                    foreach (var w in flavorList.Where(w => w.QueueIndex == q).ToArray())
                    {
                        s.EvictAdmitted(w, "QueueDrained", null, $"queue {s.QueueArray[q].Name} is drained");
                        s.SetReason(w, new PendingReason(PendingReasonCode.QueueHeld, $"queue {s.QueueArray[q].Name} holds and drains") { Unblock = "release the queue's stop policy" });
                    }
                }
            }
        }
    }

    private bool HasUntried()
    {
        for (var q = 0; q < s.QueueArray.Length; q++)
        {
            if (s.Walk.Head(q, s.Now) is not null)
            {
                return true;
            }
        }

        return false;
    }

    private void CollectHeads(TimeSpan now, List<WorkloadState> into)
    {
        for (var q = 0; q < s.QueueArray.Length; q++)
        {
            if (s.Walk.Head(q, now) is { } head)
            {
                into.Add(head);
            }
        }
    }

    /// <summary>
    /// Step 5 for one workload: the profile's actions in order (<see cref="AdmissionOptions.Actions"/>), least
    /// disruptive first, until one admits it. True when admitted; otherwise its reason is recorded.
    /// </summary>
    private bool TryAdmit(AdmissionSession session, WorkloadState w)
    {
        if (s.Failures.Reuse(w))
        {
            return false;
        }

        var queue = s.QueueArray[w.QueueIndex];
        var perFlavor = Array.FindAll(actions, a => a.RunsPerFlavor(queue));
        s.Gangs.Locality.BeginAttempt();
        var attempt = new AdmissionAttempt(w, w.Workload.PodSets.Select(s => s.Count).ToArray(), perFlavor);
        foreach (var action in actions)
        {
            if (action.TryAdmit(session, attempt))
            {
                return true;
            }
        }

        var reason = attempt.Reason ?? new PendingReason(PendingReasonCode.NeverFits, "no flavor of its queue can ever hold it");
        if (ReferenceEquals(s.CurrentReservation?.Holder, w) && reason.Code is PendingReasonCode.NoNodeFits or PendingReasonCode.GangIncomplete)
        {
            // Still waiting for its reserved nodes: that stays its reason until it starts or the reservation ends.
            reason = w.Reason.Code == PendingReasonCode.WaitingForReservation ? w.Reason : reason;
        }

        s.SetReason(w, reason);
        if (!s.Gangs.Locality.HeldInAttempt)
        {
            s.Failures.Remember(w, attempt.PlacementReasonSeen); // a wait for cached data says nothing about workloads without it
        }

        s.Failures.Keep(w, attempt, reason);
        return false;
    }
}
