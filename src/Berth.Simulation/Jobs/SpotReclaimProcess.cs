using Berth.Simulation.Scenarios;

namespace Berth.Simulation.Jobs;

/// <summary>
/// The seeded process that reclaims spot nodes in a replay: each node of a spot flavor is reclaimed at the times of
/// its own Poisson process (exponential gaps at <see cref="SpotReclaims.RatePerHour"/>), is down for
/// <see cref="SpotReclaims.Downtime"/>, then comes back and waits for its next reclaim. Each node draws from its own
/// generator seeded from the scenario's seed and its index, so one node's draws do not shift another's.
/// </summary>
internal sealed class SpotReclaimProcess
{
    private readonly double _ratePerSecond;
    private readonly Dictionary<int, Random> _draws;

    private SpotReclaimProcess(SpotReclaims settings, IReadOnlyList<int> nodes)
    {
        _ratePerSecond = settings.RatePerHour / 3600;
        Downtime = Math.Max(1, (long)Math.Ceiling(settings.Downtime.TotalSeconds));
        Nodes = nodes;
        _draws = nodes.ToDictionary(n => n, n => new Random(unchecked((settings.Seed * 1_000_003) + n)));
    }

    /// <summary>Indexes (into the scenario's nodes) of the spot nodes.</summary>
    public IReadOnlyList<int> Nodes { get; }

    /// <summary>Seconds a reclaimed node stays down.</summary>
    public long Downtime { get; }

    /// <summary>The process of <paramref name="scenario"/>; null when it has no reclaims or no spot node.</summary>
    public static SpotReclaimProcess? For(Scenario scenario)
    {
        if (scenario.SpotReclaims is not { } settings)
        {
            return null;
        }

        var spot = scenario.Queues.Flavors.Where(f => f.Spot).ToArray();
        var nodes = Enumerable.Range(0, scenario.Nodes.Count).Where(i => spot.Any(f => f.Matches(scenario.Nodes[i]))).ToArray();
        return nodes.Length == 0 ? null : new SpotReclaimProcess(settings, nodes);
    }

    /// <summary>When node <paramref name="node"/> is next reclaimed, after <paramref name="now"/> (whole seconds, at least 1 later).</summary>
    public long NextReclaim(int node, long now)
    {
        var gap = -Math.Log(1 - _draws[node].NextDouble()) / _ratePerSecond;
        return now + Math.Max(1, (long)Math.Ceiling(gap));
    }
}
