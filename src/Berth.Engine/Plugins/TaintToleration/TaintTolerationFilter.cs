using Berth.Engine.Framework;
using Berth.Model;

namespace Berth.Engine.Plugins.TaintToleration;

/// <summary>Filter: the pod tolerates every NoSchedule and NoExecute taint of the node.</summary>
internal sealed class TaintTolerationFilter : IFilterPlugin, IPreFilterPlugin
{
    public const string PluginName = "TaintToleration";
    public const string Untolerated = "node(s) had untolerated taint";

    public string Name => PluginName;

    public Status PreFilter(CycleState state) => state.Cluster.HasNodeConstraints ? Status.Success : Status.Skip;

    public Status Filter(CycleState state, int node)
    {
        var taints = state.Cluster.Nodes[node].Taints;
        var tolerations = state.Pod.Tolerations;
        foreach (var taint in taints)
        {
            if (taint.Effect == TaintEffect.PreferNoSchedule)
            {
                continue;
            }

            var tolerated = false;
            foreach (var toleration in tolerations)
            {
                if (toleration.Tolerates(taint))
                {
                    tolerated = true;
                    break;
                }
            }

            if (!tolerated)
            {
                return Status.Unresolvable(Untolerated);
            }
        }

        return Status.Success;
    }
}
