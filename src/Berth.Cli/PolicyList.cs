using Berth.Engine.Policies;
using Berth.Simulation.Input;

namespace Berth.Cli;

/// <summary>Parses <c>--policies</c>: comma-separated policy names in the order to report them, or <c>all</c>.</summary>
public static class PolicyList
{
    /// <summary>The policy names, checked against <see cref="PlacementPolicies"/>; throws <see cref="InputException"/> naming the valid ones.</summary>
    public static IReadOnlyList<string> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.Equals(text.Trim(), "all", StringComparison.OrdinalIgnoreCase))
        {
            return PlacementPolicies.Names;
        }

        var policies = new List<string>();
        foreach (var raw in text.Split(','))
        {
            var name = raw.Trim().ToLowerInvariant();
            if (name.Length == 0)
            {
                throw new InputException($"--policies '{text}': an empty name; write e.g. fgd,bestfit or all");
            }

            if (!PlacementPolicies.TryGet(name, out _))
            {
                throw new InputException($"--policies: unknown policy '{raw.Trim()}'; choose from {string.Join(", ", PlacementPolicies.Names)} or all (see 'berth policies')");
            }

            if (policies.Contains(name))
            {
                throw new InputException($"--policies: policy '{name}' appears twice; list every policy once");
            }

            policies.Add(name);
        }

        return policies;
    }
}
