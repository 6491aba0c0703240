namespace Berth.Engine.Admission;

/// <summary>Inside a queue: priority (high first), then submit time, then submission order.</summary>
internal sealed class QueueOrder : IComparer<WorkloadState>
{
    public static readonly QueueOrder Instance = new();

    public int Compare(WorkloadState? x, WorkloadState? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        var c = y!.Workload.Priority.CompareTo(x!.Workload.Priority);
        if (c != 0)
        {
            return c;
        }

        c = x.Workload.SubmitTime.CompareTo(y.Workload.SubmitTime);
        return c != 0 ? c : x.Sequence.CompareTo(y.Sequence);
    }
}
