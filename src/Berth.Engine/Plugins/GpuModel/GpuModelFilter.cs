using Berth.Engine.Framework;

namespace Berth.Engine.Plugins.GpuModel;

/// <summary>Filter: a GPU pod goes only to nodes with GPUs of an allowed model.</summary>
internal sealed class GpuModelFilter : IFilterPlugin, IPreFilterPlugin
{
    public const string PluginName = "GpuModel";
    public const string NoGpu = "node has no GPU";
    public const string ModelNotAllowed = "GPU model not allowed";

    public string Name => PluginName;

    public Status PreFilter(CycleState state) => state.Request.IsCpuOnly ? Status.Skip : Status.Success;

    public Status Filter(CycleState state, int node)
    {
        var model = state.Cluster.ModelOf[node];
        if (model < 0)
        {
            return Status.Unresolvable(NoGpu);
        }

        return state.Request.AllowsModel(model) ? Status.Success : Status.Unresolvable(ModelNotAllowed);
    }
}
