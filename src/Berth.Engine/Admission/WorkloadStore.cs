using Berth.Engine.Admission.Victims;
using Berth.Model.Queueing;

namespace Berth.Engine.Admission;

/// <summary>
/// The scheduler's stores: every workload by id in submission order, the pending set of each queue (in queue
/// order), the admitted list of each flavor, and the events not yet drained. Pending work and admitted usage are
/// kept apart so that a cycle reads only what it needs; <see cref="WorkloadSteps"/> is the one writer that moves a
/// workload between them. Plain collections: no decision is made here.
/// </summary>
internal sealed class WorkloadStore
{
    private readonly SortedSet<WorkloadState>[] _pending;
    private readonly Dictionary<string, WorkloadState> _workloads = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _queueIndex = new(StringComparer.Ordinal);
    private readonly AdmittedList[] _admittedByFlavor;
    private long _sequence;

    public WorkloadStore(IReadOnlyList<Queue> queues, int flavors)
    {
        for (var q = 0; q < queues.Count; q++)
        {
            _queueIndex[queues[q].Name] = q;
        }

        _pending = queues.Select(_ => new SortedSet<WorkloadState>(QueueOrder.Instance)).ToArray();
        _admittedByFlavor = Enumerable.Range(0, flavors).Select(_ => new AdmittedList()).ToArray();
        Victims = new VictimPool(flavors, queues.Count);
    }

    /// <summary>The preemptible ones among the admitted, by flavor and queue; kept by the same writers as the admitted lists.</summary>
    public VictimPool Victims { get; }

    /// <summary>The events since the last drain, in order (idle-GPU scans append to it directly).</summary>
    public List<AdmissionEvent> Events { get; } = [];

    /// <summary>How many workloads are known (pending, admitted or ended).</summary>
    public int Count => _workloads.Count;

    /// <summary>Every workload known, in no particular order (callers that decide sort first).</summary>
    public IEnumerable<WorkloadState> Known => _workloads.Values;

    /// <summary>Every workload known, in submission order.</summary>
    public IEnumerable<WorkloadState> InSubmissionOrder => _workloads.Values.OrderBy(w => w.Sequence);

    /// <summary>Every admitted workload, flavor by flavor.</summary>
    public IEnumerable<WorkloadState> Admitted => _admittedByFlavor.SelectMany(l => l);

    public WorkloadState? Find(string id) => _workloads.GetValueOrDefault(id);

    /// <summary>Index of queue <paramref name="name"/>, or -1.</summary>
    public int QueueIndexOf(string name) => _queueIndex.GetValueOrDefault(name, -1);

    /// <summary>The pending workloads of queue <paramref name="q"/>, in queue order.</summary>
    public SortedSet<WorkloadState> PendingIn(int q) => _pending[q];

    /// <summary>The admitted workloads of flavor <paramref name="f"/>.</summary>
    public AdmittedList AdmittedIn(int f) => _admittedByFlavor[f];

    /// <summary>Records a new workload of queue <paramref name="queue"/> under the next submission number.</summary>
    public WorkloadState Register(Workload workload, int queue, TimeSpan pendingSince)
    {
        var state = new WorkloadState(workload, queue, _sequence++) { PendingSince = pendingSince };
        _workloads[workload.Id] = state;
        return state;
    }

    /// <summary>The last events not yet drained, for an error message.</summary>
    public IEnumerable<AdmissionEvent> LastEvents(int count) => Events.TakeLast(count);

    /// <summary>Takes the events since the last call, in order.</summary>
    public IReadOnlyList<AdmissionEvent> DrainEvents()
    {
        var events = Events.ToArray();
        Events.Clear();
        return events;
    }

    /// <summary>Position of a pending workload in its queue (1 = head), or null when it is not pending.</summary>
    public int? PositionInQueue(string id) => Find(id) is { Phase: WorkloadPhase.Pending } state && _pending[state.QueueIndex].Contains(state)
        ? _pending[state.QueueIndex].TakeWhile(w => !ReferenceEquals(w, state)).Count() + 1
        : null;

    /// <summary><see cref="PositionInQueue"/> of every pending workload, in one pass per queue.</summary>
    public IReadOnlyDictionary<string, int> PositionsInQueues() =>
        _pending.SelectMany(q => q.Select((w, i) => (w.Workload.Id, Position: i + 1))).ToDictionary(p => p.Id, p => p.Position, StringComparer.Ordinal);

    /// <summary>
    /// The reason a pending workload waits now, as a person should read it: its recorded reason, except that one not
    /// yet tried behind the head of a StrictFIFO queue (<paramref name="strategyOverride"/> or the queue's) is BehindHead.
    /// </summary>
    public PendingReason ReasonOf(WorkloadState workload, Queue[] queues, QueueingStrategy? strategyOverride)
    {
        ArgumentNullException.ThrowIfNull(workload);
        var queue = queues[workload.QueueIndex];
        if (workload.Phase == WorkloadPhase.Pending && workload.Reason.Code == PendingReasonCode.Queued
            && (strategyOverride ?? queue.Strategy) == QueueingStrategy.StrictFifo
            && _pending[workload.QueueIndex].Min is { } head && !ReferenceEquals(head, workload))
        {
            return new PendingReason(PendingReasonCode.BehindHead, $"queue {queue.Name} is StrictFIFO and its head {head.Id} has not been admitted") { Unblock = $"{head.Id} is admitted" };
        }

        return workload.Reason;
    }
}
