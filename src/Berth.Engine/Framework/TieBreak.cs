namespace Berth.Engine.Framework;

/// <summary>How a placer chooses among nodes with the same best score.</summary>
public enum TieBreak
{
    /// <summary>The lowest node index: a total, seed-free order.</summary>
    LowestIndex,

    /// <summary>Uniformly at random among the tied nodes, from the placer's seeded stream (what kube-scheduler does).</summary>
    Random,
}
