namespace Berth.Engine.Framework;

/// <summary>Ranks a feasible node; higher is better. Called only for nodes every filter accepted.</summary>
public interface IScorePlugin : IPlugin
{
    double Score(CycleState state, int node);
}
