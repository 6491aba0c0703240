using Berth.Model.Queueing;
using Berth.Runtime.View;

namespace Berth.Runtime.Cycle;

/// <summary>A running workload as it runs: the counts it was admitted with and the flavor it is charged to.</summary>
public static class RunningShape
{
    /// <summary>
    /// How many pods per set a running workload was admitted with: its memo's (an elastic workload may run with
    /// fewer than all), else those bound, at least each set's minimum.
    /// </summary>
    public static int[] AdmittedCounts(ViewWorkload workload)
    {
        ArgumentNullException.ThrowIfNull(workload);
        return workload.Workload.PodSets.Select((s, i) => Math.Clamp(
            workload.Memo is { } memo ? memo.Pods.Count(p => p.PodSet == i) : workload.Members.Count(m => m.PodSet == i && m.Bound),
            s.MinCount,
            s.Count)).ToArray();
    }

    /// <summary>The workload as it runs: each pod set at the count it was admitted with.</summary>
    public static Workload AsAdmitted(ViewWorkload workload)
    {
        var counts = AdmittedCounts(workload);
        return workload.Workload with
        {
            PodSets = workload.Workload.PodSets.Select((s, i) => s with { Count = counts[i], MinCount = Math.Min(s.MinCount, counts[i]) }).ToArray(),
        };
    }

    /// <summary>The flavor a running workload is charged to: its memo's when its queue has it, else the first of its queue's flavors that matches the node of its first bound pod. Null: none.</summary>
    public static string? FlavorOf(ViewWorkload workload, QueueConfiguration configuration, IReadOnlyDictionary<string, ViewNode> nodes)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(nodes);
        var queue = configuration.Queues.FirstOrDefault(q => q.Name == workload.Workload.Queue);
        if (queue is null)
        {
            return null;
        }

        if (workload.Memo is { } memo && queue.Flavors.Any(f => f.Flavor == memo.Flavor))
        {
            return memo.Flavor;
        }

        var node = workload.Members.Select(m => m.Node).FirstOrDefault(n => n is not null && nodes.ContainsKey(n));
        foreach (var fq in queue.Flavors)
        {
            var flavor = configuration.Flavors.First(f => f.Name == fq.Flavor);
            if (node is null || flavor.Matches(nodes[node].Node))
            {
                return flavor.Name;
            }
        }

        return null;
    }
}
