using Berth.Engine.Admission.Actions;

namespace Berth.Engine.Admission;

// Incremental admission (AdmissionOptions.Incremental): the same decisions as a cycle that looks at everything,
// at a fraction of the cost once most pending work cannot run. Two shortcuts, each exact by construction:
// 1. a trial that failed on quota alone is reused while its quota tree is unchanged (QuotaTree.Version): the
//    reason, and so every event and skip that follows from it, is what a new trial would give;
// 2. a queue is walked by shape ids (WorkloadShape): whether a workload is skipped as no smaller than one that
//    just failed is decided once per shape, not per workload, so a walk over thousands of pending workloads
//    reads an array of small integers and touches only the workloads it may try.
public sealed partial class AdmissionScheduler
{
    private readonly List<WorkloadShape>[] _queueShapes;
    private readonly Dictionary<WorkloadShape, int>[] _queueShapeIndex;
    private readonly bool[][] _shapeSkipped;
    private readonly bool[][] _shapeQuotaSkipped; // skipped by the queue's own quota floors alone
    private readonly ShapeStamp[] _shapeStamp;
    private readonly int[][] _snapshotShapes;
    private readonly bool[] _quotaFailureFinal;
    private readonly bool _marksNeeded;

    /// <summary>How many trials were answered by a reused quota failure; for tests.</summary>
    internal long ReusedQuotaFailures { get; private set; }

    /// <summary>
    /// Per queue: true when no action of the profile can admit a workload that failed quota in every flavor
    /// (only preemption can, by reclaiming quota): then such a failure is final until the quota tree changes.
    /// </summary>
    private bool[] QuotaFailureFinal() => _queues.Select(q => _actions.All(a => !a.MayAdmitOverQuota(q))).ToArray();

    /// <summary>
    /// Step 5, short way: when <paramref name="w"/> last failed on quota alone and its quota tree has not changed
    /// since, records the same reason and the same floor as a new trial would, and returns true (not admitted).
    /// </summary>
    private bool ReuseQuotaFailure(WorkloadState w)
    {
        if (!Options.Incremental || w.QuotaFailure is not { } known || w.QuotaFailureVersion != Quotas.Version(w.QueueIndex))
        {
            return false;
        }

        SetReason(w, known);
        RememberFailure(w, placementTried: false);
        ReusedQuotaFailures++;
        return true;
    }

    /// <summary>After a failed trial: keeps its reason for <see cref="ReuseQuotaFailure"/> when it was quota alone.</summary>
    private void KeepQuotaFailure(WorkloadState w, AdmissionAttempt attempt, PendingReason reason)
    {
        var reusable = Options.Incremental && attempt.Reason is not null && !attempt.PlacementReasonSeen && !w.Workload.IsElastic
            && _quotaFailureFinal[w.QueueIndex] && !ReferenceEquals(_reservation?.Holder, w);
        w.QuotaFailure = reusable ? reason : null;
        w.QuotaFailureVersion = Quotas.Version(w.QueueIndex);
    }

    /// <summary>The shape ids of a queue's new snapshot, entering shapes the queue has not seen yet.</summary>
    private void IndexSnapshot(int q)
    {
        var list = _snapshot[q];
        var ids = new int[list.Length];
        for (var i = 0; i < list.Length; i++)
        {
            var w = list[i];
            var shape = ShapeOf(w);
            if (w.QueueShapeId < 0)
            {
                if (!_queueShapeIndex[q].TryGetValue(shape, out var id))
                {
                    id = _queueShapes[q].Count;
                    _queueShapes[q].Add(shape);
                    _queueShapeIndex[q][shape] = id;
                }

                w.QueueShapeId = id;
            }

            ids[i] = w.QueueShapeId;
        }

        _snapshotShapes[q] = ids;
    }

    /// <summary>
    /// <see cref="Head"/> of a BestEffortFIFO queue by shape ids: the same workload as the walk that asks
    /// <see cref="IsDominated(WorkloadState)"/> of each. Skipped workloads are marked as tried only when a reservation
    /// may come (backfill): without one, the skip can only widen within a generation, so a later walk of the same
    /// snapshot finds them skipped again without the mark.
    /// </summary>
    private WorkloadState? HeadByShape(int q, TimeSpan now)
    {
        ResetFloorsIfStale();
        var skipped = SkippedShapes(q);
        var list = _snapshot[q];
        var ids = _snapshotShapes[q];
        var byQuota = _shapeQuotaSkipped[q];
        var tracing = Tracing(q);
        if (tracing && Quotas.Version(q) != _traceTreeVersion[q])
        {
            _traceValid[q] = tracing = false;
        }

        for (var i = _cursor[q]; i < list.Length; i++)
        {
            if (skipped[ids[i]])
            {
                if (tracing && !byQuota[ids[i]])
                {
                    _traceValid[q] = tracing = false; // skipped for placement: a parked replay could not know when
                }

                if (_marksNeeded && list[i].Phase == WorkloadPhase.Pending)
                {
                    list[i].TriedGeneration = _generation;
                }

                continue;
            }

            var w = list[i];
            if (w.Phase != WorkloadPhase.Pending || w.BackoffUntil > now || w.TriedGeneration == _generation)
            {
                if (tracing && w.Phase == WorkloadPhase.Pending && w.BackoffUntil > now)
                {
                    _traceValid[q] = tracing = false; // a later generation may find it out of backoff
                }

                continue;
            }

            _cursor[q] = i;
            if (tracing && (_trace[q].Count == 0 || _trace[q][^1] != i))
            {
                _trace[q].Add(i);
            }

            return w;
        }

        _cursor[q] = list.Length;
        if (tracing)
        {
            _traceComplete[q] = true;
        }

        return null;
    }

    /// <summary>Per shape of queue <paramref name="q"/>: skipped now? Recomputed only when the floors it reads changed.</summary>
    private bool[] SkippedShapes(int q)
    {
        var shapes = _queueShapes[q];
        var stamp = new ShapeStamp(_floorsGeneration, _quotaFloors[q]?.Count ?? 0, _placementFloors.Count, _reservation is null, shapes.Count);
        if (_shapeStamp[q] == stamp)
        {
            return _shapeSkipped[q];
        }

        if (_shapeSkipped[q].Length < shapes.Count)
        {
            _shapeSkipped[q] = new bool[Math.Max(shapes.Count, 2 * _shapeSkipped[q].Length)];
            _shapeQuotaSkipped[q] = new bool[_shapeSkipped[q].Length];
        }

        var skipped = _shapeSkipped[q];
        var byQuota = _shapeQuotaSkipped[q];
        var own = _quotaFloors[q];
        for (var s = 0; s < shapes.Count; s++)
        {
            var shape = shapes[s];
            skipped[s] = IsDominated(q, shape);
            byQuota[s] = skipped[s] && !shape.Elastic && own is not null && QuotaDominated(own, shape);
        }

        _shapeStamp[q] = stamp;
        return skipped;
    }

    /// <summary>What the skip of a queue's shapes was computed from: floors only grow within a generation, so their counts tell.</summary>
    private readonly record struct ShapeStamp(long FloorsGeneration, int OwnFloors, int PlacementFloors, bool NoReservation, int Shapes);
}
