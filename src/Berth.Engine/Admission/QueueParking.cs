using Berth.Model.Queueing;

namespace Berth.Engine.Admission;

/// <summary>
/// Parking (Kueue's inadmissible workloads, kube-scheduler's queueing hints), exact. A queue whose whole walk in a
/// generation was quota failures that are reused while its quota tree is unchanged (<see cref="WorkloadState.QuotaFailure"/>)
/// would walk the same way, with no event and no effect on any other queue, in every later generation in which its
/// tree and its pending set are unchanged. So the walk is recorded (the heads it tried, in order), and in such a
/// generation the queue is parked: left out of the cycle. Parking is per quota tree (every queue of the tree parked or
/// none), so no admission can change the tree while it is parked. The one thing from outside that could change a
/// parked walk is a skip for placement (a plain pod that failed to place, in the same cycle); when one is recorded,
/// every parked queue is brought to the exact state the full cycle has by then: its heads tried so far replayed (mark,
/// reason, floor), its cursor set, and its head of the current round put in its place in the rest of the round.
/// Not for profiles with backfill (a reservation can change the skips mid-generation) or preemption (an eviction in
/// the middle of a cycle starts a new generation there, and every walk starts over mid-round). Mutated only by the
/// scheduler's cycle; not thread-safe.
/// </summary>
internal sealed class QueueParking
{
    private readonly AdmissionScheduler _scheduler;
    private readonly List<int>[] _trace; // per queue: snapshot indexes of the heads its recorded walk tried, in order
    private readonly long[] _traceGeneration; // the generation whose walk is being recorded (or was)
    private readonly bool[] _traceValid;
    private readonly bool[] _traceComplete;
    private readonly long[] _traceTreeVersion;
    private readonly long[] _traceQueueVersion;
    private readonly bool[] _parked;
    private readonly bool[] _verified; // Replays held and nothing touched the queue since (see Touch)
    private readonly int[][] _treeQueues; // queues per quota tree
    private readonly bool _allowed;
    private long _generation = -1;
    private int _parkedCount;
    private List<WorkloadState>? _round; // the round being tried, while the loop runs
    private int _roundNumber;
    private int _index;

    public QueueParking(AdmissionScheduler scheduler, bool allowed)
    {
        _scheduler = scheduler;
        _allowed = allowed;
        var queues = scheduler.Queues.Count;
        _trace = Enumerable.Range(0, queues).Select(_ => new List<int>()).ToArray();
        _traceGeneration = Enumerable.Repeat(-1L, queues).ToArray();
        _traceValid = new bool[queues];
        _traceComplete = new bool[queues];
        _traceTreeVersion = new long[queues];
        _traceQueueVersion = new long[queues];
        _parked = new bool[queues];
        _verified = new bool[queues];
        _treeQueues = Enumerable.Range(0, queues).GroupBy(scheduler.Quotas.RootOf).OrderBy(g => g.Key).Select(g => g.ToArray()).ToArray();
    }

    /// <summary>The fair-share keys of the round being tried, parallel to its candidates (the scheduler's order fills them).</summary>
    public List<double> RoundKeys { get; } = [];

    /// <summary>How many queue walks parking has left out so far (one per parked queue per generation); for tests.</summary>
    public long ParkedWalks { get; private set; }

    /// <summary>How many parked queues were brought back in the middle of a cycle (a skip for placement came); for tests.</summary>
    public long UnparkedMidCycle { get; private set; }

    /// <summary>Of those, how many had their head of the current round join the rest of the round; for tests.</summary>
    public long JoinedRound { get; private set; }

    /// <summary>A workload of queue <paramref name="q"/> left it or changed its reason: its recorded heads must be checked again.</summary>
    public void Touch(int q) => _verified[q] = false;

    /// <summary>True when queue <paramref name="q"/> is left out of this generation's walks.</summary>
    public bool IsParked(int q) => _parked[q];

    /// <summary>The generation the current parking was decided for.</summary>
    public long Generation => _generation;

    /// <summary>
    /// At the start of a cycle (after the drain): in a new generation, parks every tree whose queues all replay
    /// their recorded walk; in the same generation, a parked queue whose pending set changed is brought back
    /// (the cycle before exhausted it; its snapshot is about to be rebuilt and walked again with marks and floors).
    /// </summary>
    public void Update()
    {
        if (_generation != _scheduler.Generation)
        {
            Array.Clear(_parked);
            _parkedCount = 0;
            _generation = _scheduler.Generation;
            if (!_allowed)
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
                    }

                    _parkedCount += tree.Length;
                    ParkedWalks += tree.Length;
                }
            }

            return;
        }

        for (var q = 0; q < _parked.Length && _parkedCount > 0; q++)
        {
            if (_parked[q] && _scheduler.Walk.Version(q) != _traceQueueVersion[q])
            {
                Unpark(q, exhausted: true);
            }
        }
    }

    /// <summary>Called at the first walk of queue <paramref name="q"/> in a generation (cursor and snapshot current): starts recording it.</summary>
    public void StartTrace(int q, bool byShape, int cursor)
    {
        _traceGeneration[q] = _scheduler.Generation;
        _verified[q] = false;
        _trace[q].Clear();
        _traceValid[q] = _allowed && byShape && cursor == 0;
        _traceComplete[q] = false;
        _traceTreeVersion[q] = _scheduler.Quotas.Version(q);
        _traceQueueVersion[q] = _scheduler.Walk.Version(q);
    }

    /// <summary>True once the walk of <paramref name="q"/> in this generation started (recorded or not).</summary>
    public bool Started(int q) => _traceGeneration[q] == _scheduler.Generation;

    /// <summary>True while the walk of <paramref name="q"/> in this generation is being recorded and still replayable.</summary>
    public bool Tracing(int q) => Started(q) && _traceValid[q] && _scheduler.Quotas.Version(q) == _traceTreeVersion[q];

    /// <summary>The walk of <paramref name="q"/> in this generation did something a replay could not (see the callers).</summary>
    public void Spoil(int q) => _traceValid[q] = false;

    /// <summary>The walk of <paramref name="q"/> offered the workload at snapshot index <paramref name="index"/> (once per head).</summary>
    public void Offered(int q, int index)
    {
        if (Tracing(q) && (_trace[q].Count == 0 || _trace[q][^1] != index))
        {
            _trace[q].Add(index);
        }
    }

    /// <summary>The walk of <paramref name="q"/> reached the end of its snapshot.</summary>
    public void Exhausted(int q)
    {
        if (Tracing(q))
        {
            _traceComplete[q] = true;
        }
    }

    /// <summary>The loop is about to try <paramref name="round"/>, the heads of round number <paramref name="number"/>.</summary>
    public void BeginRound(List<WorkloadState> round, int number)
    {
        _round = round;
        _roundNumber = number;
    }

    /// <summary>The loop is at candidate <paramref name="index"/> of the round.</summary>
    public void At(int index) => _index = index;

    public void EndRound() => _round = null;

    /// <summary>After the loop handled candidate <paramref name="w"/>: its walk stays replayable only if it failed on a reusable quota failure.</summary>
    public void Tried(WorkloadState w, bool tried, bool admitted)
    {
        var q = w.QueueIndex;
        if (Tracing(q) && (!tried || admitted || w.QuotaFailure is null || w.QuotaFailureVersion != _traceTreeVersion[q]))
        {
            _traceValid[q] = false;
        }
    }

    /// <summary>A skip for placement was just recorded: brings every parked queue to the full cycle's state at this point of the round.</summary>
    public void UnparkAll()
    {
        for (var q = 0; q < _parked.Length && _parkedCount > 0; q++)
        {
            if (_parked[q])
            {
                Unpark(q, exhausted: _round is null);
            }
        }
    }

    /// <summary>True when queue <paramref name="q"/>'s walk in a new generation would be its recorded one, with no event.</summary>
    private bool Replays(int q)
    {
        if (_scheduler.Queues[q].Stop != StopPolicy.None)
        {
            return true; // never walked while held
        }

        var version = _scheduler.Quotas.Version(q);
        if (!_traceValid[q] || !_traceComplete[q] || _traceTreeVersion[q] != version || _traceQueueVersion[q] != _scheduler.Walk.Version(q) || !_scheduler.Walk.SnapshotCurrent(q))
        {
            return false;
        }

        if (_verified[q])
        {
            return true; // the checks below held, and no head left the queue or changed its reason since
        }

        var list = _scheduler.Walk.SnapshotOf(q);
        foreach (var i in _trace[q])
        {
            var w = list[i];
            if (w.Phase != WorkloadPhase.Pending || w.QuotaFailure is not { } known || w.QuotaFailureVersion != version
                || w.Reason.Code != known.Code || !string.Equals(w.Reason.Flavor, known.Flavor, StringComparison.Ordinal))
            {
                return false;
            }
        }

        _verified[q] = true;
        return true;
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
        _traceGeneration[q] = _scheduler.Generation;
        _traceValid[q] = false;
        if (_scheduler.Queues[q].Stop != StopPolicy.None)
        {
            return;
        }

        UnparkedMidCycle += exhausted ? 0 : 1;
        var trace = _trace[q];
        var list = _scheduler.Walk.SnapshotOf(q);
        var tried = trace.Count;
        var cursor = list.Length;
        WorkloadState? join = null;
        double joinKey = 0;
        if (!exhausted && _roundNumber <= trace.Count)
        {
            var head = list[trace[_roundNumber - 1]];
            joinKey = _scheduler.OrderKey(head, _scheduler.Now);
            var before = _scheduler.CompareCandidates(joinKey, head, RoundKeys[_index], _round![_index]) < 0;
            tried = before ? _roundNumber : _roundNumber - 1;
            cursor = trace[_roundNumber - 1];
            join = before ? null : head;
            JoinedRound += before ? 0 : 1;
        }

        for (var j = 0; j < tried; j++)
        {
            _scheduler.Failures.Replay(list[trace[j]]);
        }

        _scheduler.Walk.SetCursor(q, cursor);
        if (join is not null)
        {
            var at = _index + 1;
            while (at < _round!.Count && _scheduler.CompareCandidates(RoundKeys[at], _round[at], joinKey, join) < 0)
            {
                at++;
            }

            _round.Insert(at, join);
            RoundKeys.Insert(at, joinKey);
        }
    }
}
