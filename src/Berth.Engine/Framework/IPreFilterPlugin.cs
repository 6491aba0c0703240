namespace Berth.Engine.Framework;

/// <summary>Runs once per decision before any node is looked at: precomputes what filters and scores read.</summary>
public interface IPreFilterPlugin : IPlugin
{
    /// <summary>
    /// <see cref="Status.Success"/> to go on, <see cref="Status.Skip"/> when this plugin's filter has nothing to
    /// check for the pod, or an unschedulable status when the pod fits nowhere for a reason known up front.
    /// </summary>
    Status PreFilter(CycleState state);
}
