namespace Berth.Engine.Framework;

/// <summary>A score plugin that rescales its raw scores once all feasible nodes are scored (for example min-max to 0..100).</summary>
public interface INormalizeScorePlugin : IScorePlugin
{
    /// <summary>Rewrites <paramref name="scores"/> (one per entry of <paramref name="nodes"/>) in place.</summary>
    void Normalize(CycleState state, ReadOnlySpan<int> nodes, Span<double> scores);
}
