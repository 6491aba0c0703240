using Berth.Model.Queueing;
using Berth.Simulation.Scenarios;

namespace Berth.Simulation.Jobs;

/// <summary>
/// Sharing safety's baseline: one queue of a scenario replayed alone on a cluster the size of its
/// nominal GPU quota. The cluster is made of nodes like the first GPU node group's, as many as the quota
/// needs rounded up, and at least enough for the queue's largest workload (a queue whose quota is smaller
/// than one of its jobs could not run that job alone at all). The queue keeps its settings but leaves its
/// cohort; its quota is the whole cluster. The queue's workloads running at time 0 run there too, placed
/// afresh (the alone cluster has other nodes); capacity held by pods of no queue is left out.
/// </summary>
public static class AloneScenario
{
    public static Scenario For(Scenario scenario, string queueName)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var queue = scenario.Queues.Queues.Single(q => q.Name == queueName);
        var group = scenario.NodeGroups.FirstOrDefault(g => g.GpusPerNode > 0) ?? throw new ArgumentException($"scenario {scenario.Name} has no GPU node group to size a cluster from", nameof(scenario));
        var workloads = scenario.Workloads.Where(w => w.Queue == queueName).ToArray();
        var nominalGpus = queue.Flavors.Sum(f => f.Gpu?.Nominal ?? 0) / 1000.0;
        var running = scenario.Running.Where(r => r.Workload.Queue == queueName).ToArray();
        var largest = workloads.Select(w => w.Request.GpuMilli).Concat(running.Select(r => r.Workload.Request.GpuMilli)).DefaultIfEmpty(0).Max() / 1000.0;
        var nodes = (int)Math.Max(1, Math.Ceiling(Math.Max(nominalGpus, largest) / group.GpusPerNode));
        var aloneGroup = group with { Name = $"{group.Name}-alone", Count = nodes };
        var flavors = queue.Flavors.Select(f => new FlavorQuota(f.Flavor)).ToArray(); // no quota: the cluster is the quota
        var alone = queue with { Cohort = null, Flavors = flavors };
        return scenario with
        {
            Name = $"{scenario.Name}/{queueName}-alone",
            NodeGroups = [aloneGroup],
            Nodes = aloneGroup.Expand().ToArray(),
            Queues = scenario.Queues with { Cohorts = [], Queues = [alone] },
            Workloads = workloads,
            Running = running.Select(r => r with { Pods = [] }).ToArray(),
            Withheld = [],
            Expectations = [],
        };
    }
}
