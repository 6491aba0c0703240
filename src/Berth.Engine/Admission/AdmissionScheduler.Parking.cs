namespace Berth.Engine.Admission;

// Parking (Kueue's inadmissible workloads, kube-scheduler's queueing hints), exact: a queue whose whole walk in a
// generation was quota failures that are reused as long as its quota tree is unchanged (AdmissionScheduler.Incremental)
// would walk the same way, with no event and no effect on any other queue, in every later generation in which its
// tree and its pending set are unchanged. So the walk is recorded (the heads it tried, in order), and in such a
// generation the queue is parked: left out of the cycle. Parking is per quota tree (every queue of the tree parked
// or none), so no admission can change the tree while it is parked. The one thing from outside that could change a
// parked walk is a skip for placement (a plain pod that failed to place, in the same cycle); when one is recorded,
// every parked queue is brought to the exact state the full cycle would have reached by then (its heads tried so
// far marked and their floors laid, its cursor, and its head of the current round put in the round's order).
// Not for profiles with backfill (a reservation can change the skips mid-generation) or preemption (an eviction in
// the middle of a cycle starts a new generation there, and every walk starts over mid-round).
public sealed partial class AdmissionScheduler
{
    private readonly List<int>[] _trace; // per queue: snapshot indexes of the heads its recorded walk tried, in order
    private readonly long[] _traceGeneration; // the generation whose walk is being recorded (or was)
    private readonly bool[] _traceValid;
    private readonly bool[] _traceComplete;
    private readonly long[] _traceTreeVersion;
    private readonly long[] _traceQueueVersion;
    private readonly bool[] _parked;
    private readonly int[][] _treeQueues; // queues per quota tree
    private readonly bool _parkingAllowed;
    private long _parkGeneration = -1;
    private int _parkedCount;
    private List<WorkloadState>? _loopCandidates; // the round being tried, while the loop runs
    private readonly List<double> _roundKeys = [];
    private int _loopRound;
    private int _loopIndex;

    /// <summary>How many queue walks parking has left out so far (one per parked queue per generation); for tests.</summary>
    internal long ParkedWalks { get; private set; }

    /// <summary>How many parked queues were brought back in the middle of a cycle (a skip for placement came); for tests.</summary>
    internal long UnparkedMidCycle { get; private set; }

    /// <summary>Of those, how many had their head of the current round join the rest of the round; for tests.</summary>
    internal long JoinedRound { get; private set; }

    /// <summary>Queues grouped by the root of their quota tree, in queue order.</summary>
    private int[][] TreeQueues() =>
        Enumerable.Range(0, _queues.Length).GroupBy(Quotas.RootOf).OrderBy(g => g.Key).Select(g => g.ToArray()).ToArray();

    /// <summary>
    /// At the start of a cycle (after the drain): in a new generation, parks every tree whose queues all replay
    /// their recorded walk; in the same generation, a parked queue whose pending set changed is brought back
    /// (the cycle before exhausted it; its snapshot is about to be rebuilt and walked again with marks and floors).
    /// </summary>
    private void UpdateParking()
    {
        if (_parkGeneration != _generation)
        {
            Array.Clear(_parked);
            _parkedCount = 0;
            _parkGeneration = _generation;
            if (!_parkingAllowed)
            {
                return;
            }

            foreach (var tree in _treeQueues)
            {
                if (Array.TrueForAll(tree, Replays))
                {
                    foreach (var q in tree)
                    {
                        _parked[q] = true;
                        _parkedCount++;
                    }

                    ParkedWalks += tree.Length;
                }
            }

            return;
        }

        if (_parkedCount == 0)
        {
            return;
        }

        for (var q = 0; q < _queues.Length; q++)
        {
            if (_parked[q] && _queueVersion[q] != _traceQueueVersion[q])
            {
                Unpark(q, exhausted: true);
            }
        }
    }

    /// <summary>True when queue <paramref name="q"/>'s walk in a new generation would be its recorded one, with no event.</summary>
    private bool Replays(int q)
    {
        if (_queues[q].Stop != Model.Queueing.StopPolicy.None)
        {
            return true; // never walked while held
        }

        var version = Quotas.Version(q);
        if (!_traceValid[q] || !_traceComplete[q] || _traceTreeVersion[q] != version || _traceQueueVersion[q] != _queueVersion[q] || _snapshotVersion[q] != _queueVersion[q])
        {
            return false;
        }

        var list = _snapshot[q];
        foreach (var i in _trace[q])
        {
            var w = list[i];
            if (w.Phase != WorkloadPhase.Pending || w.QuotaFailure is not { } known || w.QuotaFailureVersion != version
                || w.Reason.Code != known.Code || !string.Equals(w.Reason.Flavor, known.Flavor, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Called at the first walk of queue <paramref name="q"/> in a generation (cursor and snapshot current): starts recording it.</summary>
    private void StartTrace(int q, bool byShape)
    {
        _traceGeneration[q] = _generation;
        _trace[q].Clear();
        _traceValid[q] = _parkingAllowed && byShape && _cursor[q] == 0;
        _traceComplete[q] = false;
        _traceTreeVersion[q] = Quotas.Version(q);
        _traceQueueVersion[q] = _queueVersion[q];
    }

    /// <summary>True while the walk of <paramref name="q"/> in this generation is being recorded and still replayable.</summary>
    private bool Tracing(int q) => _traceGeneration[q] == _generation && _traceValid[q];

    /// <summary>After the loop handled candidate <paramref name="w"/>: its walk stays replayable only if it failed on a reusable quota failure.</summary>
    private void TraceTrial(WorkloadState w, bool tried, bool admitted)
    {
        var q = w.QueueIndex;
        if (!Tracing(q))
        {
            return;
        }

        if (!tried || admitted || w.QuotaFailure is null || w.QuotaFailureVersion != _traceTreeVersion[q])
        {
            _traceValid[q] = false;
        }
    }

    /// <summary>
    /// A skip for placement was just recorded: brings every parked queue to the state the full cycle has at this
    /// point of the round being tried, and out of parking.
    /// </summary>
    private void UnparkAll()
    {
        if (_parkedCount == 0)
        {
            return;
        }

        for (var q = 0; q < _queues.Length; q++)
        {
            if (_parked[q])
            {
                Unpark(q, exhausted: _loopCandidates is null);
            }
        }
    }

    /// <summary>
    /// Replays what the full cycle did with parked queue <paramref name="q"/> so far this generation: all its recorded
    /// heads when <paramref name="exhausted"/>, else those of the rounds before this one, and this round's head if it
    /// comes before the candidate being tried (otherwise it joins the rest of this round in its place).
    /// </summary>
    private void Unpark(int q, bool exhausted)
    {
        _parked[q] = false;
        _parkedCount--;
        _traceGeneration[q] = _generation;
        _traceValid[q] = false;
        if (_queues[q].Stop != Model.Queueing.StopPolicy.None)
        {
            return;
        }

        UnparkedMidCycle += exhausted ? 0 : 1;
        var trace = _trace[q];
        var list = _snapshot[q];
        var tried = trace.Count;
        var cursor = list.Length;
        WorkloadState? join = null;
        double joinKey = 0;
        if (!exhausted && _loopRound <= trace.Count)
        {
            var head = list[trace[_loopRound - 1]];
            joinKey = OrderKey(head, Now);
            var current = _loopCandidates![_loopIndex];
            var before = CompareCandidates(joinKey, head, _roundKeys[_loopIndex], current) < 0;
            tried = before ? _loopRound : _loopRound - 1;
            cursor = trace[_loopRound - 1];
            join = before ? null : head;
            JoinedRound += before ? 0 : 1;
        }

        for (var j = 0; j < tried; j++)
        {
            var w = list[trace[j]];
            SetReason(w, w.QuotaFailure!);
            RememberFailure(w, placementTried: false);
            w.TriedGeneration = _generation;
        }

        _cursor[q] = cursor;
        if (join is not null)
        {
            var candidates = _loopCandidates!;
            var at = _loopIndex + 1;
            while (at < candidates.Count && CompareCandidates(_roundKeys[at], candidates[at], joinKey, join) < 0)
            {
                at++;
            }

            candidates.Insert(at, join);
            _roundKeys.Insert(at, joinKey);
        }
    }
}
