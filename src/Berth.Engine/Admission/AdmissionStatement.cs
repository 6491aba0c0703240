using Berth.Model;
using Berth.Model.Queueing;

namespace Berth.Engine.Admission;

/// <summary>
/// A transaction over the cluster and the quota tree (Volcano/KAI's Statement): every pod placed or
/// released and every usage change is logged so it can be rolled back to a checkpoint. Workload phases
/// are not touched here; the scheduler changes them only when it commits a decision.
/// </summary>
internal sealed class AdmissionStatement
{
    private readonly AdmissionScheduler _owner;
    private readonly List<Op> _log = [];

    public AdmissionStatement(AdmissionScheduler owner) => _owner = owner;

    public int Checkpoint() => _log.Count;

    public void Placed(Pod pod, int node, int mask) => _log.Add(new Op(OpKind.Placed, pod, node, mask, 0, 0, default));

    public void Release(Pod pod, int node, int mask)
    {
        _owner.ReleasePod(pod, node, mask);
        _log.Add(new Op(OpKind.Released, pod, node, mask, 0, 0, default));
    }

    public void AddUsage(int queue, int flavor, Resources delta)
    {
        _owner.Quotas.Add(queue, flavor, delta);
        _log.Add(new Op(OpKind.Usage, null, 0, 0, queue, flavor, delta));
    }

    /// <summary>Undoes everything logged after <paramref name="checkpoint"/>, newest first.</summary>
    public void RollbackTo(int checkpoint)
    {
        for (var i = _log.Count - 1; i >= checkpoint; i--)
        {
            var op = _log[i];
            switch (op.Kind)
            {
                case OpKind.Placed:
                    _owner.ReleasePod(op.Pod!, op.Node, op.Mask);
                    break;
                case OpKind.Released:
                    _owner.ReservePod(op.Pod!, op.Node, op.Mask);
                    break;
                default:
                    _owner.Quotas.Add(op.Queue, op.Flavor, default(Resources) - op.Delta);
                    break;
            }
        }

        _log.RemoveRange(checkpoint, _log.Count - checkpoint);
    }

    /// <summary>Keeps everything done so far.</summary>
    public void Commit() => _log.Clear();

    private enum OpKind
    {
        Placed,
        Released,
        Usage,
    }

    private readonly record struct Op(OpKind Kind, Pod? Pod, int Node, int Mask, int Queue, int Flavor, Resources Delta);
}
