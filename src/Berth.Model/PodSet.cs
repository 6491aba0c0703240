namespace Berth.Model;

/// <summary>A group of identical pods of one workload (for example the workers of a training job).</summary>
public sealed record PodSet(string Name, int Count, Pod Template)
{
    /// <summary>The fewest pods the set can run with (elastic jobs); equal to <see cref="Count"/> when not elastic.</summary>
    public int MinCount { get; init; } = Count;

    /// <summary>
    /// When set, a node label key (for example <see cref="TopologyKeys.Rack"/> or <see cref="TopologyKeys.NvlinkDomain"/>):
    /// all pods of this set are placed on nodes with the same value of that label (one rack, one NVLink
    /// domain). Several pod sets with a key form sub-groups, each inside a domain of its own choosing.
    /// </summary>
    public string? TopologyKey { get; init; }
}
