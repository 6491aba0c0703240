using Berth.Model;
using Berth.Model.Queueing;
using Berth.Runtime.View;

namespace Berth.Simulation.Jobs;

/// <summary>
/// What a placement costs in data: each pod needs every dataset of its workload on its node; a dataset the node does
/// not cache is fetched, its size counted as data moved, before the pod can start. Pods fetch in parallel, each over
/// its node's own link of <see cref="GbPerSecond"/>, so the workload starts after its slowest pod's stage-in. What is
/// modelled, and what is not: nodes keep the caches they were given (the scenario's or the generator's); data fetched
/// for a pod is not kept after it (no cache fill, no eviction), so every admission of a workload fetches again what
/// its nodes lack; a shared link or storage bandwidth limit across nodes is not modelled.
/// </summary>
public sealed class DataStaging
{
    private readonly Dictionary<string, HashSet<string>> _cached;

    /// <summary>Builds the staging model over <paramref name="nodes"/>' caches with <paramref name="gbPerSecond"/> per node link.</summary>
    public DataStaging(IEnumerable<Node> nodes, double gbPerSecond)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        if (!(gbPerSecond > 0) || double.IsInfinity(gbPerSecond))
        {
            throw new ArgumentOutOfRangeException(nameof(gbPerSecond), gbPerSecond, "stage-in bandwidth must be a positive number of GB per second, such as 1.25 (10 Gbit/s)");
        }

        GbPerSecond = gbPerSecond;
        _cached = nodes.ToDictionary(n => n.Name, n => new HashSet<string>(n.CachedDatasets, StringComparer.Ordinal), StringComparer.Ordinal);
    }

    /// <summary>The bandwidth one node fetches data with, in GB per second.</summary>
    public double GbPerSecond { get; }

    /// <summary>
    /// The data <paramref name="workload"/>'s pods placed as in <paramref name="pods"/> must fetch (GB, summed over
    /// pods: two pods on nodes without a dataset fetch it twice) and the stage-in time, whole seconds rounded up, of the
    /// pod that fetches most.
    /// </summary>
    public (double MovedGb, long Seconds) Stage(Workload workload, IReadOnlyList<PlannedPlacement> pods)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(pods);
        if (workload.Datasets.Count == 0)
        {
            return (0, 0);
        }

        double moved = 0;
        double slowest = 0;
        foreach (var pod in pods)
        {
            var cache = _cached.GetValueOrDefault(pod.Node);
            double fetch = 0;
            foreach (var dataset in workload.Datasets)
            {
                if (cache is null || !cache.Contains(dataset.Name))
                {
                    fetch += dataset.SizeGb;
                }
            }

            moved += fetch;
            slowest = Math.Max(slowest, fetch);
        }

        return (moved, (long)Math.Ceiling(slowest / GbPerSecond));
    }
}
