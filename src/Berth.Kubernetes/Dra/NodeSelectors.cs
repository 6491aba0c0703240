using k8s.Models;

namespace Berth.Kubernetes.Dra;

/// <summary>
/// A core <c>NodeSelector</c> (terms ORed, expressions within a term ANDed) evaluated on one node, for slices and devices
/// published for a set of nodes; and the selector an allocation pins its claim's pods with.
/// </summary>
internal static class NodeSelectors
{
    public static bool Matches(V1NodeSelector selector, string node, IReadOnlyDictionary<string, string> labels) =>
        selector.NodeSelectorTerms?.Any(term => term is not null && Matches(term, node, labels)) == true;

    /// <summary>The selector of a claim allocated for <paramref name="node"/>: <c>metadata.name In [node]</c>, as kube-scheduler writes it.</summary>
    public static V1NodeSelector PinnedTo(string node) => new()
    {
        NodeSelectorTerms =
        [
            new V1NodeSelectorTerm
            {
                MatchFields = [new V1NodeSelectorRequirement { Key = "metadata.name", OperatorProperty = "In", Values = [node] }],
            },
        ],
    };

    /// <summary>The node an allocation is pinned to (<c>metadata.name In [one node]</c>, or a <c>kubernetes.io/hostname</c> label); null otherwise.</summary>
    public static string? PinnedNode(V1NodeSelector? selector)
    {
        var terms = selector?.NodeSelectorTerms;
        if (terms is not { Count: 1 } || terms[0] is not { } term)
        {
            return null;
        }

        var field = term.MatchFields?.FirstOrDefault(r => r?.Key == "metadata.name" && r.OperatorProperty == "In" && r.Values is { Count: 1 });
        var label = term.MatchExpressions?.FirstOrDefault(r => r?.Key == "kubernetes.io/hostname" && r.OperatorProperty == "In" && r.Values is { Count: 1 });
        return field?.Values[0] ?? label?.Values[0];
    }

    private static bool Matches(V1NodeSelectorTerm term, string node, IReadOnlyDictionary<string, string> labels)
    {
        var any = false;
        foreach (var requirement in term.MatchExpressions ?? [])
        {
            any = true;
            if (requirement is null || !Holds(requirement, labels.TryGetValue(requirement.Key ?? string.Empty, out var value) ? value : null))
            {
                return false;
            }
        }

        foreach (var requirement in term.MatchFields ?? [])
        {
            any = true;
            if (requirement is null || requirement.Key != "metadata.name" || !Holds(requirement, node))
            {
                return false;
            }
        }

        return any; // an empty term matches nothing, as on Kubernetes
    }

    private static bool Holds(V1NodeSelectorRequirement requirement, string? value)
    {
        var values = requirement.Values ?? [];
        return requirement.OperatorProperty switch
        {
            "In" => value is not null && values.Contains(value),
            "NotIn" => value is null || !values.Contains(value),
            "Exists" => value is not null,
            "DoesNotExist" => value is null,
            "Gt" => value is not null && long.TryParse(value, out var a) && values.Count == 1 && long.TryParse(values[0], out var b) && a > b,
            "Lt" => value is not null && long.TryParse(value, out var c) && values.Count == 1 && long.TryParse(values[0], out var d) && c < d,
            _ => false,
        };
    }
}
