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

    /// <summary>
    /// Node label keys, narrowest first (for example NVLink domain, then rack, then block), each tried in turn as
    /// "all pods of this set inside one domain of it" before the required <see cref="TopologyKey"/>; when none of
    /// them fits, the set goes inside one domain of <see cref="TopologyKey"/> if that is set, else anywhere. The
    /// levels are assumed nested (a rack lies within one block), as Kueue's topology levels are.
    /// </summary>
    public IReadOnlyList<string> PreferredTopology { get; init; } = [];
}
