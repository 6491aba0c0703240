using Berth.Engine.Framework;

namespace Berth.Engine.Plugins.NodeSelector;

/// <summary>Filter: the node carries every label of the pod's node selector, with the same value.</summary>
internal sealed class NodeSelectorFilter : IFilterPlugin, IPreFilterPlugin
{
    public const string PluginName = "NodeSelector";
    public const string Mismatch = "node(s) didn't match Pod's node selector";

    public string Name => PluginName;

    public Status PreFilter(CycleState state) => state.Pod.NodeSelector.Count == 0 ? Status.Skip : Status.Success;

    public Status Filter(CycleState state, int node)
    {
        var labels = state.Cluster.Nodes[node].Labels;
        foreach (var (key, value) in state.Pod.NodeSelector)
        {
            if (!labels.TryGetValue(key, out var actual) || !string.Equals(actual, value, StringComparison.Ordinal))
            {
                return Status.Unresolvable(Mismatch);
            }
        }

        return Status.Success;
    }
}
