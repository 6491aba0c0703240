using Berth.Model;
using Berth.Model.Queueing;

namespace Berth.Engine.Admission;

/// <summary>
/// The preferred topology levels a pod set tries in a flavor, narrowest first. A pod set that prefers one level of
/// the flavor's <see cref="Flavor.TopologyLevels"/> climbs from it to each wider level in turn, stopping below its
/// required level (which the caller tries last, as a constraint), as Kueue's preferred topology does; without
/// levels, or with several preferred levels written out, the pod set's own list is taken as it stands.
/// </summary>
internal static class TopologyChain
{
    /// <summary>The levels to try for <paramref name="set"/> in <paramref name="flavor"/>, narrowest first.</summary>
    public static IReadOnlyList<string> Preferred(PodSet set, Flavor flavor)
    {
        var levels = flavor.TopologyLevels;
        if (set.PreferredTopology.Count != 1 || levels.Count == 0)
        {
            return set.PreferredTopology;
        }

        var from = IndexOf(levels, set.PreferredTopology[0]);
        if (from < 0)
        {
            return set.PreferredTopology;
        }

        // Levels are widest first: climb towards index 0, never reaching the required level or beyond it.
        var stop = set.TopologyKey is { } required ? IndexOf(levels, required) : -1;
        var chain = new List<string>(from + 1);
        for (var i = from; i > stop; i--)
        {
            chain.Add(levels[i]);
        }

        return chain;
    }

    private static int IndexOf(IReadOnlyList<string> levels, string key)
    {
        for (var i = 0; i < levels.Count; i++)
        {
            if (string.Equals(levels[i], key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
