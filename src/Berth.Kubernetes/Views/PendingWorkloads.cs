using Berth.Kubernetes.Controller;
using Berth.Web;

namespace Berth.Kubernetes.Views;

/// <summary>
/// The visibility API's answer, read from a decision's outcomes (<see cref="DecisionPlan.Outcomes"/>): the positions
/// are the ones that decision computed, so a script sees the order the controller used, not a second guess.
/// Positions count every waiting workload, also those the caller may not see (as Kueue's LocalQueue view counts
/// the whole ClusterQueue); the items are only those the caller may see.
/// </summary>
public static class PendingWorkloads
{
    /// <summary>The id a workload has in the views' URLs: the planner's id with <c>:</c> for <c>/</c> (<c>job:team-a:train</c>); names never hold either.</summary>
    public static string JobId(string plannerId)
    {
        ArgumentNullException.ThrowIfNull(plannerId);
        return plannerId.Replace('/', ':');
    }

    /// <summary>
    /// One page of <paramref name="queue"/>'s waiting workloads after <paramref name="decision"/>, only those of
    /// namespaces <paramref name="sees"/> accepts; <paramref name="offset"/> and <paramref name="limit"/> are checked by the caller.
    /// </summary>
    public static PendingWorkloadsView Read(Decision? decision, string queue, Func<string, bool> sees, int offset, int limit)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(sees);
        var queues = decision?.Snapshot.Queues ?? [];
        var cohort = queues.FirstOrDefault(q => q.Metadata?.Name == queue)?.Spec?.Cohort;
        if (decision is null)
        {
            return new PendingWorkloadsView(queue, cohort, null, 0, offset, limit, []);
        }

        var waiting = decision.Plan.Outcomes.Where(o => !o.Running).ToArray();
        var inCohort = cohort is null ? new Dictionary<string, int>(StringComparer.Ordinal) : CohortPositions(waiting, queues, cohort);
        var ordered = waiting.Where(o => o.Queue == queue && o.Position is not null).OrderBy(o => o.Position)
            .Concat(waiting.Where(o => o.Queue == queue && o.Position is null).OrderBy(o => o.Created).ThenBy(o => o.Id, StringComparer.Ordinal))
            .ToArray();
        var inNamespace = new Dictionary<string, int>(StringComparer.Ordinal);
        var visible = new List<PendingWorkloadView>();
        foreach (var o in ordered)
        {
            int? nsPosition = null;
            if (o.Position is not null)
            {
                nsPosition = inNamespace[o.Namespace] = inNamespace.GetValueOrDefault(o.Namespace) + 1;
            }

            if (!sees(o.Namespace))
            {
                continue;
            }

            visible.Add(new PendingWorkloadView(JobId(o.Id), o.Name, o.Namespace, o.Kind, o.Priority, o.Created, o.Position, new PendingView(o.Code ?? "Pending", o.Message ?? string.Empty, o.Flavor))
            {
                PositionInCohort = inCohort.TryGetValue(o.Id, out var c) ? c : null,
                PositionInNamespace = nsPosition,
                Gpus = o.Gpus,
                Pods = o.Pods,
                ExpectedStart = o.ExpectedStart,
            });
        }

        return new PendingWorkloadsView(queue, cohort, decision.Snapshot.Now, visible.Count, offset, limit, visible.Skip(offset).Take(limit).ToArray());
    }

    /// <summary>
    /// Positions among the waiting workloads of every queue in <paramref name="cohort"/>: each queue's own order kept,
    /// the next one taken from the queue whose head comes first by queue priority, workload priority, creation, queue name.
    /// </summary>
    private static Dictionary<string, int> CohortPositions(IReadOnlyList<WorkloadOutcome> waiting, IReadOnlyList<Api.Queue> queues, string cohort)
    {
        var priorities = queues.Where(q => q.Metadata?.Name is not null && q.Spec?.Cohort == cohort)
            .ToDictionary(q => q.Metadata.Name, q => q.Spec?.Priority ?? 0, StringComparer.Ordinal);
        var lines = waiting.Where(o => o.Position is not null && priorities.ContainsKey(o.Queue))
            .GroupBy(o => o.Queue, StringComparer.Ordinal)
            .Select(g => new Queue<WorkloadOutcome>(g.OrderBy(o => o.Position)))
            .ToList();
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        while (lines.Count > 0)
        {
            var next = lines[0];
            foreach (var line in lines.Skip(1))
            {
                if (Before(line.Peek(), next.Peek(), priorities))
                {
                    next = line;
                }
            }

            positions[next.Dequeue().Id] = positions.Count + 1;
            if (next.Count == 0)
            {
                lines.Remove(next);
            }
        }

        return positions;
    }

    private static bool Before(WorkloadOutcome a, WorkloadOutcome b, Dictionary<string, int> queuePriority)
    {
        var c = queuePriority[b.Queue].CompareTo(queuePriority[a.Queue]);
        if (c == 0)
        {
            c = b.Priority.CompareTo(a.Priority);
        }

        if (c == 0)
        {
            c = a.Created.CompareTo(b.Created);
        }

        if (c == 0)
        {
            c = string.CompareOrdinal(a.Queue, b.Queue);
        }

        return c < 0;
    }
}
