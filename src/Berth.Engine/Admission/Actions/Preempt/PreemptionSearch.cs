using Berth.Engine.Admission.Strategies;
using Berth.Engine.Admission.Victims;
using Berth.Model.Queueing;

namespace Berth.Engine.Admission.Actions.Preempt;

/// <summary>
/// The search of the actions that evict, one per scheduler (it keeps scratch arrays and the per-flavor victim lists
/// between attempts): preemption within a queue, reclaim of borrowed capacity, and fair-share preemption, each allowed
/// by its strategy (<see cref="PreemptionStrategies"/>). The calling action names the strategies it asks: the preempt
/// action all of them, the reclaim action reclaim alone. It reads the scheduler's state and changes it only through
/// the statement and the scheduler's admit and evict steps.
///
/// The candidates come from <see cref="ReadableVictims"/> (the preemptor's queue and those it may take from, in victim
/// order); before them, <see cref="PreemptionBound"/> may show from per-queue totals that no candidate set could do.
/// </summary>
internal sealed class PreemptionSearch(AdmissionScheduler s)
{
    private Victim[] _victims = [];
    private WorkloadState[] _removedScratch = [];
    private bool[]? _otherQueueTakeable;
    private int[]? _chosenPerQueue;
    private readonly List<(WorkloadState V, IPreemptionStrategy Strategy)> _chosen = [];
    private bool[] _givenBack = [];
    private readonly HashSet<int> _usedNodes = [];
    private readonly PreemptionBound _bound = new(s);

    /// <summary>
    /// False: no bound and no merged lanes, every attempt builds the whole victim list as before they existed (the
    /// reference the property tests compare with). Decisions are the same either way.
    /// </summary>
    public bool Shortcuts { get; set; } = true;

    /// <summary>Where the candidates come from (exposed for the property tests).</summary>
    public ReadableVictims Readable { get; } = new(s);

    /// <summary>Attempts the bound ended before any victim list; for tests.</summary>
    public long Bounded { get; private set; }

    /// <summary>Victim lists merged from lanes instead of built whole (<see cref="ReadableVictims"/>); for tests.</summary>
    public long Merged => Readable.Merged;

    /// <summary>
    /// Tries to admit <paramref name="w"/> in flavor <paramref name="f"/> by evicting others:
    /// 1. candidates: admitted workloads of the flavor that are preemptible, past their queue's minimum
    ///    runtime, and allowed by one of <paramref name="strategies"/> (a subset of <see cref="PreemptionStrategies"/>,
    ///    in its order: within the queue, reclaim, fair share; the first that allows a victim owns it);
    /// 2. order: least work lost since the last checkpoint, then lowest priority, then most recently started, then id;
    /// 3. take victims in that order until quota and the gang's placement fit;
    /// 4. give back every victim that turns out not to be needed (newest choice first);
    /// 5. place the preemptor, and give up if any victim could be readmitted at once (a pure move);
    /// 6. commit: evict the victims whole (gangs), admit the preemptor.
    /// </summary>
    public bool TryPreempt(WorkloadState w, int f, int[] counts, TimeSpan now, IReadOnlyList<IPreemptionStrategy> strategies)
    {
        var q = w.QueueIndex;
        var policy = s.QueueArray[q].Preemption;
        var request = w.RequestOf(counts);
        var context = new PreemptionContext(s.Quotas, w, f, request, policy)
        {
            WithinNominal = !s.Borrows(q, f, request),
            ShareAfterAdmission = policy.FairShare ? s.Quotas.Share(q, f, request) : 0,
        };

        // 0. A bound from what each queue holds, before any victim list.
        if (Shortcuts && _bound.Applies(strategies) && _bound.CannotSucceed(context))
        {
            Bounded++;
            return false;
        }

        // 1. Candidates.
        var count = CollectVictims(context, strategies, now, out var freeable);

        // Quick bounds: even all candidates together cannot free enough GPU in total, or
        // enough fully free GPUs where the gang may go (then every trial below would stop at the same bound).
        if (count == 0 || freeable < request.GpuMilli || !VictimsCouldMakeRoom(w, f, counts, now, _victims.AsSpan(0, count)))
        {
            return false;
        }

        // 2. Order: the eligible list's. 3. Take victims until it fits.
        var checkpoint = s.Statement.Checkpoint();
        _chosen.Clear();
        var trial = new PreemptionTrial(context, counts, now, _chosen);
        if (!TakeVictims(trial, count))
        {
            s.Statement.RollbackTo(checkpoint);
            return false;
        }

        // 4. Give back victims not needed.
        GiveBackUnneeded(trial);

        // 5-6. Place the preemptor and commit, unless a victim would only be moved.
        return CommitPreemption(trial, checkpoint);
    }

    /// <summary>
    /// <see cref="TryPreempt"/> over the flavors of <paramref name="w"/>'s queue in order, leaving out those it could
    /// never fit in; true at the first that admits it (an action that does not run per flavor).
    /// </summary>
    public bool TryPreemptInQueueFlavors(WorkloadState w, int[] counts, TimeSpan now, IReadOnlyList<IPreemptionStrategy> strategies)
    {
        foreach (var f in s.FlavorsOf(w.QueueIndex))
        {
            if (s.CouldEverFit(w, f) && TryPreempt(w, f, counts, now, strategies))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Step 1: fills <see cref="_victims"/> with the flavor's eligible workloads (already in victim order) that one of
    /// <paramref name="strategies"/> allows; returns how many, with the GPU they and the flavor's free GPU add up to.
    /// </summary>
    private int CollectVictims(PreemptionContext context, IReadOnlyList<IPreemptionStrategy> strategies, TimeSpan now, out long freeable)
    {
        var q = context.Queue;
        var f = context.Flavor;
        var root = s.Quotas.RootOf(q);
        freeable = s.FlavorFreeGpu[f];

        // Whether another queue's workloads may be taken at all (same cohort tree, borrowing): the same for each of them.
        // With the shortcuts, also left out: a queue no strategy could take from (the bound's test), and the
        // preemptor's own queue when it holds none that within-queue preemption could take; their candidates would all
        // be refused below.
        var narrow = Shortcuts && _bound.Applies(strategies);
        var others = _otherQueueTakeable ??= new bool[s.QueueArray.Length];
        for (var vq = 0; vq < others.Length; vq++)
        {
            others[vq] = vq != q && root != q && s.Quotas.RootOf(vq) == root && s.Quotas.IsBorrowing(vq, f) && (!narrow || _bound.MayGive(context, vq));
        }

        // Only the preemptor's queue and the queues that may be taken from (the rest are passed over below) are read.
        var readOwn = !narrow || _bound.MayTakeOwn(context);
        var readable = Readable.Of(q, f, others, now, Shortcuts, out var lowestOwn, readOwn);
        return Consider(context, strategies, readable, others, lowestOwn, ref freeable);
    }

    /// <summary>
    /// Step 1 for the readable candidates in victim order: keeps in <see cref="_victims"/> those one of the strategies allows;
    /// returns how many, and adds their GPU to <paramref name="freeable"/>. <paramref name="lowestOwn"/> is the whole
    /// list's lowest per queue; null when every preemptible workload is a candidate (then the pool says).
    /// </summary>
    private int Consider(PreemptionContext context, IReadOnlyList<IPreemptionStrategy> strategies, ReadOnlySpan<WorkloadState> readable, bool[] others, WorkloadState?[]? lowestOwn, ref long freeable)
    {
        var q = context.Queue;
        var count = 0;
        foreach (var v in readable)
        {
            // Evicted, a victim of another queue that would come straight back by preempting a lower one of its own
            // queue is passed over: that lower one is taken instead.
            if (v.QueueIndex != q && (!others[v.QueueIndex] || WouldDisplaceOwn(v, context.Flavor, lowestOwn)))
            {
                continue;
            }

            IPreemptionStrategy? owner = null;
            foreach (var strategy in strategies)
            {
                if (strategy.Allows(context, v))
                {
                    owner = strategy;
                    break;
                }
            }

            if (owner is null)
            {
                continue;
            }

            if (count == _victims.Length)
            {
                Array.Resize(ref _victims, Math.Max(16, 2 * count));
            }

            _victims[count++] = new Victim(v, owner);
            freeable += v.Usage.GpuMilli;
        }

        return count;
    }

    /// <summary>
    /// Step 3: takes the first <paramref name="count"/> candidates in order until the preemptor fits. Preempting inside
    /// its own queue is allowed only when the preemptor then stays within its nominal quota (as Kueue does): a queue
    /// that preempts its own to borrow more would be reclaimed at once by the queue it borrows from, and the two would
    /// take turns for ever. True when it fits (the victims' removal stays in the statement).
    /// </summary>
    private bool TakeVictims(PreemptionTrial trial, int count)
    {
        var context = trial.Context;
        var (w, q, f, request, now, counts) = (context.Preemptor, context.Queue, context.Flavor, context.Request, trial.Now, trial.Counts);
        var chosenPerQueue = ChosenPerQueue();
        var fits = false;
        var total = trial.Total;

        // The placement trial's whole-GPU bound, followed as victims leave instead of counted anew after each (since
        // VictimsCouldMakeRoom started following it, with nothing changed in between).
        foreach (var (v, strategy) in _victims.AsSpan(0, count))
        {
            if (!strategy.MayTake(context, v))
            {
                continue;
            }

            if (chosenPerQueue[v.QueueIndex] >= s.DisruptionsLeft(v.QueueIndex, now))
            {
                continue; // its queue's disruption budget is spent
            }

            // Quota first: the fair-share rule reads only quota, so a victim it refuses never has its pods released.
            var beforeRemoval = s.Statement.Checkpoint();
            s.Statement.AddUsage(v.QueueIndex, v.Flavor, default(Resources) - v.Usage);
            if (!strategy.AllowsAfterRemoval(context, v))
            {
                s.Statement.RollbackTo(beforeRemoval);
                continue;
            }

            s.Room.ReleaseFollowingRoom(v);
            trial.Chosen.Add((v, strategy));
            chosenPerQueue[v.QueueIndex]++;
            trial.KeepingWithinNominal += strategy.KeepsPreemptorWithinNominal ? 1 : 0;

            // As Satisfied(), its cheap refusals first: quota, GPU in total, whole GPUs, and the within-queue rule
            // (a trial cannot change quota usage); then the trial. A placer that draws randomly has the trial run
            // before the within-queue rule, as it always did: each trial shifts the draws of the decisions after it.
            var withinNominalHolds = trial.KeepingWithinNominal == 0 || !s.Borrows(q, f, request);
            if (QuotaFits(w, q, f, request) && request.GpuMilli <= s.FlavorFreeGpu[f] && s.Room.RoomFitting() >= total
                && (withinNominalHolds || s.Placer.DrawsRandomly) && s.Gangs.TryQuietly(w, f, counts, now, keep: false) && withinNominalHolds)
            {
                fits = true;
                break;
            }
        }

        foreach (var (v, _) in trial.Chosen)
        {
            chosenPerQueue[v.QueueIndex] = 0;
        }

        return fits;
    }

    /// <summary>
    /// Step 4: gives back victims not needed, newest choice first (the last one was needed). A victim with no pod on
    /// the nodes the preemptor would take is given back when quota still allows, without a placement trial (those
    /// nodes stay as they are); one on those nodes only when a trial says the preemptor still fits. The quota tests
    /// read only usage, so a victim's usage comes back first and its pods only when quota allows (a gang of hundreds of
    /// pods may weigh thousands of victims, most of them kept for quota); those given back leave the list at the end,
    /// in one pass, the others keeping their order.
    /// </summary>
    private void GiveBackUnneeded(PreemptionTrial trial)
    {
        var context = trial.Context;
        var (w, q, f, request, now, counts) = (context.Preemptor, context.Queue, context.Flavor, context.Request, trial.Now, trial.Counts);
        var chosen = trial.Chosen;
        var used = _usedNodes;
        used.Clear();
        if (!s.Gangs.TryQuietly(w, f, counts, now, keep: false, used))
        {
            return;
        }

        if (_givenBack.Length < chosen.Count)
        {
            _givenBack = new bool[Math.Max(16, 2 * chosen.Count)];
        }

        var givenBack = _givenBack;
        var anyGivenBack = false;
        for (var i = chosen.Count - 2; i >= 0; i--)
        {
            givenBack[i] = false;
            var back = s.Statement.Checkpoint();
            var kept = chosen[i];
            s.Statement.AddUsage(kept.V.QueueIndex, kept.V.Flavor, kept.V.Usage);
            var keptWithinQueue = kept.Strategy.KeepsPreemptorWithinNominal ? 1 : 0;
            trial.KeepingWithinNominal -= keptWithinQueue;
            var withinNominalHolds = trial.KeepingWithinNominal == 0 || !s.Borrows(q, f, request);
            var onUsed = OnAny(kept.V, used);
            bool ok;
            if (onUsed)
            {
                // As before: (withinNominalHolds || DrawsRandomly) && Fits && withinNominalHolds, Fits's quota test first.
                ok = (withinNominalHolds || s.Placer.DrawsRandomly) && QuotaFits(w, q, f, request);
                if (ok)
                {
                    RestorePlacements(kept.V);
                    ok = FitsAfterQuota(w, f, counts, request, now) && withinNominalHolds;
                }
            }
            else
            {
                ok = QuotaFits(w, q, f, request) && withinNominalHolds;
                if (ok)
                {
                    RestorePlacements(kept.V);
                }
            }

            if (ok)
            {
                givenBack[i] = true;
                anyGivenBack = true;
            }
            else
            {
                trial.KeepingWithinNominal += keptWithinQueue;
                s.Statement.RollbackTo(back);
            }
        }

        if (anyGivenBack)
        {
            var last = chosen.Count - 1;
            var to = 0;
            for (var i = 0; i < last; i++)
            {
                if (!givenBack[i])
                {
                    chosen[to++] = chosen[i];
                }
            }

            chosen[to++] = chosen[last];
            chosen.RemoveRange(to, chosen.Count - to);
        }
    }

    private static bool OnAny(WorkloadState v, HashSet<int> nodes)
    {
        foreach (var p in v.Placements)
        {
            if (nodes.Contains(p.Node))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Steps 5 and 6: places the preemptor; a victim that could then be readmitted at once would only be moved, losing
    /// work for nothing (and would come back next cycle): then there is no preemption. Otherwise evicts the victims
    /// whole and admits the preemptor where it was placed.
    /// </summary>
    private bool CommitPreemption(PreemptionTrial trial, int checkpoint)
    {
        var context = trial.Context;
        var (w, q, f, request, now, counts) = (context.Preemptor, context.Queue, context.Flavor, context.Request, trial.Now, trial.Counts);
        if (!s.Gangs.TryQuietly(w, f, counts, now, keep: true))
        {
            s.Statement.RollbackTo(checkpoint); // cannot happen: Fits just said yes with the same state
            return false;
        }

        var placements = s.Scratch.ToArray();
        s.Statement.AddUsage(q, f, request);

        // Victims are judged without any reservation: the preemptor's own ends with its admission, and another
        // one may end with this very change (its holder's reason changes), after which the victim would fit.
        var reservation = s.CurrentReservation;
        s.CurrentReservation = null;
        var moved = trial.Chosen.Exists(c => CouldReadmit(c.V, now));
        s.CurrentReservation = reservation;
        s.Statement.RollbackTo(checkpoint);
        if (moved)
        {
            return false;
        }

        foreach (var (v, strategy) in trial.Chosen)
        {
            s.RecordDisruption(v.QueueIndex, now);
            s.EvictAdmitted(v, strategy.EvictionReason, w.Id, $"to admit {w.Id} of queue {s.QueueArray[q].Name}");
        }

        foreach (var p in placements)
        {
            s.ReservePod(p.Pod, p.Node, p.GpuMask);
        }

        s.Scratch.Clear();
        s.Scratch.AddRange(placements);
        s.Admit(w, f, counts, now);
        s.Statement.Commit();
        return true;
    }

    /// <summary>True when <paramref name="v"/> (removed in the statement) could be admitted again now in one of its queue's flavors.</summary>
    private bool CouldReadmit(WorkloadState v, TimeSpan now)
    {
        foreach (var f in s.FlavorsOf(v.QueueIndex))
        {
            if (s.CouldEverFit(v, f) && QuotaFits(v, v.QueueIndex, f, v.RequestOf(v.Counts)) && s.Gangs.TryQuietly(v, f, v.Counts, now, keep: false))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// True when <paramref name="v"/>, once evicted, could preempt another admitted workload of its own queue:
    /// one of lower priority, or (when the policy says so) of equal priority and newer. Such a one exists exactly
    /// when the lowest of the queue's eligible workloads of flavor <paramref name="f"/> is one: from the whole list
    /// (<paramref name="lowestOwn"/>), or, where every preemptible workload is eligible (null), from the pool. (Eligible
    /// here also means within the queue's disruption budget, which is the same for all of a queue's workloads: a
    /// queue whose budget is spent has no candidate at all.)
    /// </summary>
    private bool WouldDisplaceOwn(WorkloadState v, int f, WorkloadState?[]? lowestOwn)
    {
        var policy = s.QueueArray[v.QueueIndex].Preemption.WithinQueue;
        if (policy == WithinQueuePreemption.Never)
        {
            return false;
        }

        if (lowestOwn is null && policy == WithinQueuePreemption.LowerPriority)
        {
            return s.Store.Victims.Of(f, v.QueueIndex).LowestPriority < v.Workload.Priority; // the lowest's priority is all this policy reads
        }

        if ((lowestOwn is null ? s.Store.Victims.Of(f, v.QueueIndex).Lowest() : lowestOwn[v.QueueIndex]) is not { } u)
        {
            return false;
        }

        return u.Workload.Priority < v.Workload.Priority
            || (policy == WithinQueuePreemption.LowerOrNewerEqualPriority && u.Workload.Priority == v.Workload.Priority
                && (u.Workload.SubmitTime > v.Workload.SubmitTime || (u.Workload.SubmitTime == v.Workload.SubmitTime && u.Sequence > v.Sequence)));
    }

    /// <summary>Per queue, victims chosen so far in this preemption; all zero between calls.</summary>
    private int[] ChosenPerQueue() => _chosenPerQueue ??= new int[s.QueueArray.Length];

    /// <summary>
    /// False when even with every candidate <paramref name="victims"/> evicted the gang's pods would not find the fully
    /// free GPUs they need on the nodes it may use; every placement trial of the victim search would then stop there.
    /// </summary>
    private bool VictimsCouldMakeRoom(WorkloadState w, int f, int[] counts, TimeSpan now, ReadOnlySpan<Victim> victims)
    {
        var removed = _removedScratch.Length >= victims.Length ? _removedScratch : _removedScratch = new WorkloadState[Math.Max(16, victims.Length * 2)];
        for (var i = 0; i < victims.Length; i++)
        {
            removed[i] = victims[i].V;
        }

        var total = 0;
        foreach (var c in counts)
        {
            total += c;
        }

        // The count TakeVictims follows starts here; the candidates' nodes alone are counted again.
        s.Room.FollowRoom(s.PodsFor(w, f), counts, s.AllowedNodes(w, f, now, out _));
        return s.Room.RoomFittingWithout(removed.AsSpan(0, victims.Length)) >= total;
    }

    /// <summary>
    /// Quota and a placement trial, as <see cref="QuotaCheck"/> and <see cref="TryPlaceGang"/> would say, but
    /// without building the reasons nobody reads here: the trial's own cheap bounds (GPU in total, fully free
    /// GPUs per pod) are checked first, and the trial runs only past them, exactly as it would.
    /// </summary>
    private bool Fits(WorkloadState w, int f, int[] counts, Resources request, TimeSpan now) =>
        QuotaFits(w, w.QueueIndex, f, request) && FitsAfterQuota(w, f, counts, request, now);

    /// <summary><see cref="Fits"/> past its quota test: the GPU in total, the whole-GPU bound, then the trial.</summary>
    private bool FitsAfterQuota(WorkloadState w, int f, int[] counts, Resources request, TimeSpan now)
    {
        if (request.GpuMilli > s.FlavorFreeGpu[f])
        {
            return false;
        }

        return s.Room.AllCouldFit(s.PodsFor(w, f), counts, s.AllowedNodes(w, f, now, out _))
            && s.Gangs.TryQuietly(w, f, counts, now, keep: false);
    }

    /// <summary>True exactly when <see cref="QuotaCheck"/> gives null (no reason built).</summary>
    private bool QuotaFits(WorkloadState w, int q, int f, Resources request) => s.QuotaFits(q, f, request, w.Workload.Preemptible);

    private void RestorePlacements(WorkloadState v)
    {
        foreach (var p in v.Placements)
        {
            s.ReservePod(p.Pod, p.Node, p.GpuMask);
            s.Statement.Placed(p.Pod, p.Node, p.GpuMask);
        }
    }

    private readonly record struct Victim(WorkloadState V, IPreemptionStrategy Strategy);
}
