using Berth.Model.Queueing;

namespace Berth.Engine.Admission;

/// <summary>
/// Step 3 of a cycle: each queue's next workload to try. A cursor per queue walks a snapshot of the queue's order,
/// so a round costs O(1) per queue, not a rescan; the snapshot is rebuilt when workloads join the queue (its
/// version), and the cursors go back to the start when capacity frees (a new generation).
/// </summary>
internal sealed class HeadWalk(AdmissionScheduler s)
{
    private readonly WorkloadState[][] _snapshot = new WorkloadState[s.QueueArray.Length][];
    private readonly int[] _cursor = new int[s.QueueArray.Length];
    private readonly long[] _queueVersion = new long[s.QueueArray.Length];
    private readonly long[] _snapshotVersion = NewVersions(s.QueueArray.Length);
    private long _cursorGeneration = -1;

    /// <summary>Bumped whenever workloads join queue <paramref name="q"/> (its snapshot is then rebuilt).</summary>
    public long Version(int q) => _queueVersion[q];

    /// <summary>True when queue <paramref name="q"/>'s snapshot has every workload that joined it.</summary>
    public bool SnapshotCurrent(int q) => _snapshotVersion[q] == _queueVersion[q];

    /// <summary>The snapshot of queue <paramref name="q"/>'s order that its cursor walks.</summary>
    public WorkloadState[] SnapshotOf(int q) => _snapshot[q];

    /// <summary>Moves queue <paramref name="q"/>'s cursor (a parked walk's recorded end).</summary>
    public void SetCursor(int q, int cursor) => _cursor[q] = cursor;

    /// <summary>A workload joined queue <paramref name="q"/>.</summary>
    public void Added(int q) => _queueVersion[q]++;

    /// <summary>Sends every cursor back to the start when <paramref name="generation"/> is new.</summary>
    public void Restart(long generation)
    {
        if (_cursorGeneration != generation)
        {
            Array.Clear(_cursor);
            _cursorGeneration = generation;
        }
    }

    /// <summary>
    /// The next workload of queue <paramref name="q"/> to try this generation, or null. A cursor walks a
    /// snapshot of the queue's order, so a round costs O(1) per queue, not a rescan: the snapshot is rebuilt
    /// when workloads join the queue, and the cursors go back to the start when capacity frees (a new generation).
    /// </summary>
    public WorkloadState? Head(int q, TimeSpan now)
    {
        var queue = s.QueueArray[q];
        if (queue.Stop != StopPolicy.None)
        {
            return null;
        }

        Restart(s.Generation);

        if (s.Parking.IsParked(q))
        {
            if (s.Parking.Generation != s.Generation)
            {
                throw new InvalidOperationException($"queue {queue.Name} is parked for generation {s.Parking.Generation} but capacity freed in the middle of a cycle (generation {s.Generation}); parking is only for profiles that never evict during a cycle");
            }

            return null; // its walk this generation is its recorded one, with no effect (see QueueParking)
        }

        var strict = (s.Options.StrategyOverride ?? queue.Strategy) == QueueingStrategy.StrictFifo;
        if (_snapshotVersion[q] != _queueVersion[q])
        {
            _snapshot[q] = [.. s.PendingIn(q)];
            _snapshotVersion[q] = _queueVersion[q];
            _cursor[q] = 0;
            if (s.Options.Incremental)
            {
                s.Failures.Floors.Index(q, _snapshot[q]);
            }

            if (s.Parking.Started(q))
            {
                s.Parking.Spoil(q); // rebuilt mid-generation: the walk restarts with marks and floors
            }
        }

        if (!s.Parking.Started(q))
        {
            s.Parking.StartTrace(q, byShape: !strict && s.Options.Incremental, _cursor[q]);
        }

        if (!strict && s.Options.Incremental)
        {
            return s.Failures.Floors.Walk(q, _snapshot[q], ref _cursor[q], now, s.Generation, s.CurrentReservation is null, s.MarksNeeded, s.Parking); // by shape ids
        }

        var list = _snapshot[q];
        for (var i = _cursor[q]; i < list.Length; i++)
        {
            var w = list[i];
            if (w.Phase != WorkloadPhase.Pending)
            {
                _cursor[q] = i + 1;
                continue;
            }

            if (w.TriedGeneration != s.Generation && s.Failures.IsDominated(w))
            {
                w.TriedGeneration = s.Generation; // a smaller one just failed the same way: this one cannot fit either
            }

            if (w.BackoffUntil > now || w.TriedGeneration == s.Generation)
            {
                if (strict)
                {
                    return null;
                }

                _cursor[q] = i + 1;
                continue;
            }

            _cursor[q] = i;
            return w;
        }

        _cursor[q] = list.Length;
        return null;
    }

    private static long[] NewVersions(int queues)
    {
        var versions = new long[queues];
        Array.Fill(versions, -1);
        return versions;
    }
}
