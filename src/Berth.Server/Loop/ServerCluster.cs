using Berth.Model;
using Berth.Model.Queueing;

namespace Berth.Server.Loop;

/// <summary>
/// What the server schedules onto: the nodes and the queueing configuration (flavors, cohorts, queues, priority
/// classes), as the CLI read them from a scenario-format file. Checked once at start.
/// </summary>
public sealed record ServerCluster(IReadOnlyList<Node> Nodes, QueueConfiguration Configuration)
{
    public void Validate()
    {
        Configuration.Validate();
        if (Nodes.Count == 0)
        {
            throw new ArgumentException("the cluster has no nodes; give at least one node group under cluster.nodeGroups", "nodeGroups");
        }

        if (Configuration.Queues.Count == 0)
        {
            throw new ArgumentException("the configuration has no queues; declare at least one under queues", "queues");
        }

        var dup = Nodes.GroupBy(n => n.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null)
        {
            throw new ArgumentException($"node {dup.Key} is declared twice; node names must be unique", "nodeGroups");
        }
    }
}
