namespace Berth.Engine.Admission;

/// <summary>
/// The wake-up's view of every queue's head (<see cref="HeadWake"/>), read again from the queue's ordered set only
/// after workloads joined the queue (its version) or left it (<see cref="Removed"/>), so a cycle does not walk a
/// thousand sorted sets to find that nothing changed.
/// </summary>
internal sealed class HeadWakes(int queues)
{
    private readonly long[] _removals = new long[queues];
    private readonly HeadWake[] _cache = Enumerable.Repeat(new HeadWake(-1, -1, false, default, default), queues).ToArray();

    /// <summary>A workload left queue <paramref name="q"/>'s pending set.</summary>
    public void Removed(int q) => _removals[q]++;

    /// <summary>The head of queue <paramref name="q"/>, whose pending set is <paramref name="pending"/> at <paramref name="version"/>.</summary>
    public HeadWake Of(int q, long version, SortedSet<WorkloadState> pending)
    {
        ref var head = ref _cache[q];
        if (head.Version != version || head.Removals != _removals[q])
        {
            var w = pending.Count > 0 ? pending.Min : null;
            head = new HeadWake(version, _removals[q], w is not null, w?.BackoffUntil ?? default, w?.PendingSince ?? default);
        }

        return head;
    }
}
