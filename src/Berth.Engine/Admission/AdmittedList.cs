using System.Collections;

namespace Berth.Engine.Admission;

/// <summary>
/// The admitted workloads of one flavor in the order they were added, with removal in constant time: a removed
/// workload leaves a hole (each workload knows its slot, <see cref="WorkloadState.AdmittedSlot"/>), and the holes are
/// squeezed out, order kept, once they are as many as the workloads. A plain list's removal searched the whole list:
/// with 50,000 running workloads that was most of the time of a replay in which one ends every few events. The order
/// is what callers that emit events while iterating (draining a queue, idle scans) depend on; it is the plain list's.
/// Not safe to change while iterating (as a list).
/// </summary>
internal sealed class AdmittedList : IEnumerable<WorkloadState>
{
    private WorkloadState?[] _slots = new WorkloadState?[16];
    private int _end;

    public int Count { get; private set; }

    public void Add(WorkloadState w)
    {
        if (_end == _slots.Length)
        {
            if (Count <= _end / 2)
            {
                Squeeze();
            }
            else
            {
                Array.Resize(ref _slots, 2 * _slots.Length);
            }
        }

        w.AdmittedSlot = _end;
        _slots[_end++] = w;
        Count++;
    }

    public void Remove(WorkloadState w)
    {
        var slot = w.AdmittedSlot;
        if (slot < 0 || slot >= _end || !ReferenceEquals(_slots[slot], w))
        {
            throw new InvalidOperationException($"workload {w.Id} is not in the admitted list");
        }

        _slots[slot] = null;
        w.AdmittedSlot = -1;
        Count--;
        if (Count <= _end / 2 && _end >= 64)
        {
            Squeeze();
        }
    }

    public Enumerator GetEnumerator() => new(this);

    IEnumerator<WorkloadState> IEnumerable<WorkloadState>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Moves the workloads down over the holes, in order.</summary>
    private void Squeeze()
    {
        var to = 0;
        for (var from = 0; from < _end; from++)
        {
            if (_slots[from] is { } w)
            {
                w.AdmittedSlot = to;
                _slots[to++] = w;
            }
        }

        Array.Clear(_slots, to, _end - to);
        _end = to;
    }

    /// <summary>Walks the slots, skipping holes.</summary>
    public struct Enumerator(AdmittedList list) : IEnumerator<WorkloadState>
    {
        private int _at = -1;

        public readonly WorkloadState Current => list._slots[_at]!;

        readonly object IEnumerator.Current => Current;

        public bool MoveNext()
        {
            while (++_at < list._end)
            {
                if (list._slots[_at] is not null)
                {
                    return true;
                }
            }

            return false;
        }

        public void Reset() => _at = -1;

        public readonly void Dispose()
        {
        }
    }
}
