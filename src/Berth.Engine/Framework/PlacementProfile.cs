namespace Berth.Engine.Framework;

/// <summary>
/// A named configuration of the placement framework: which filters run (in order), which scores
/// (with weights), how the GPUs inside a node are chosen, how ties are broken. Plugins are named,
/// resolved by <see cref="PluginRegistry"/>; nothing is discovered by reflection.
/// </summary>
public sealed record PlacementProfile
{
    public required string Name { get; init; }

    public IReadOnlyList<string> Filters { get; init; } = PluginRegistry.DefaultFilters;

    public IReadOnlyList<ScoreWeight> Scores { get; init; } = [];

    /// <summary>Scores consulted, in order, only among nodes tied on the weighted total.</summary>
    public IReadOnlyList<string> TieBreakScores { get; init; } = [];

    public string GpuSelector { get; init; } = PluginRegistry.TightestFit;

    public TieBreak TieBreak { get; init; } = TieBreak.LowestIndex;

    /// <summary>One line for --help and reports.</summary>
    public string Description { get; init; } = string.Empty;
}
