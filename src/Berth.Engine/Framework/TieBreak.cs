namespace Berth.Engine.Framework;

/// <summary>How a placer chooses among nodes with the same best score.</summary>
public enum TieBreak
{
    /// <summary>The lowest node index: a total, seed-free order.</summary>
    LowestIndex,

    /// <summary>Uniformly at random among the tied nodes, drawn afresh for each decision from the placer's seeded stream (upstream kube-scheduler's reservoir sampling).</summary>
    Random,

    /// <summary>
    /// The first tied node in a node order shuffled once with the placer's seed. The same nodes win every
    /// tie, so ties pack rather than spread; this is what the published FGD simulator does (its nodes are
    /// renamed with a seeded permutation and the first best node in name order wins).
    /// </summary>
    SeededNodeOrder,
}
