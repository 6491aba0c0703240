namespace Berth.Engine.Framework;

/// <summary>Says whether the pod may go on one node. Never throws for "does not fit": returns a status with a reason.</summary>
public interface IFilterPlugin : IPlugin
{
    Status Filter(CycleState state, int node);
}
