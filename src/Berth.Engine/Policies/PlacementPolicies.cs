using Berth.Engine.Framework;

namespace Berth.Engine.Policies;

/// <summary>The placement policies users pick by name (<c>berth simulate --policies fgd,bestfit</c>).</summary>
public static class PlacementPolicies
{
    /// <summary>Berth's default policy.</summary>
    public const string Default = "fgd";

    private static readonly PlacementProfile[] All =
    [
        new()
        {
            Name = "fgd",
            Description = "Berth's default: FGD's integer score with a scarcity reserve for rare pod shapes; CPU-only pods go where GPUs are taken",
            // Measured (docs/PERFORMANCE.md §2): on all 13 openb variants this leaves fewer GPUs idle at
            // arrived = 100% than the published FGD. The consistent seeded node order matters as much as the
            // score: coarse scores plus a fixed order pack pods onto the same nodes.
            Scores = [new ScoreWeight(PluginRegistry.FgdReserve)],
            TieBreakScores = [PluginRegistry.CpuOnlyPacking],
            GpuSelector = PluginRegistry.FgdReserve,
            TieBreak = TieBreak.SeededNodeOrder,
        },
        new()
        {
            Name = "fgd-fine",
            Description = "FGD with the continuous score and a best-fit, then lowest-index tie-break (no seed involved)",
            Scores = [new ScoreWeight(PluginRegistry.Fgd)],
            TieBreakScores = [PluginRegistry.BestFit],
            GpuSelector = PluginRegistry.Fgd,
        },
        new()
        {
            Name = "fgd-peer",
            Description = "FGD as published: integer sigmoid score, random tie-break among equal scores",
            Scores = [new ScoreWeight(PluginRegistry.FgdQuantised)],
            GpuSelector = PluginRegistry.FgdQuantised,
            TieBreak = TieBreak.SeededNodeOrder,
        },
        new()
        {
            Name = "bestfit",
            Description = "least CPU+GPU left over on the node",
            Scores = [new ScoreWeight(PluginRegistry.BestFit)],
            TieBreak = TieBreak.SeededNodeOrder,
        },
        new()
        {
            Name = "dotprod",
            Description = "smallest dot product of free node resources and the request",
            Scores = [new ScoreWeight(PluginRegistry.DotProd)],
            TieBreak = TieBreak.SeededNodeOrder,
        },
        new()
        {
            Name = "gpupacking",
            Description = "fill partly used GPUs, then used nodes, then idle nodes",
            Scores = [new ScoreWeight(PluginRegistry.GpuPacking)],
            TieBreak = TieBreak.SeededNodeOrder,
        },
        new()
        {
            Name = "gpuclustering",
            Description = "keep pods of the same GPU shape on the same nodes",
            Scores = [new ScoreWeight(PluginRegistry.GpuClustering)],
            TieBreak = TieBreak.SeededNodeOrder,
        },
        new()
        {
            Name = "random",
            Description = "a uniformly random feasible node and GPU",
            GpuSelector = PluginRegistry.RandomGpu,
            TieBreak = TieBreak.Random,
        },
    ];

    /// <summary>Policy names in display order.</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(p => p.Name).ToArray();

    public static IReadOnlyList<PlacementProfile> Profiles => All;

    public static bool TryGet(string name, out PlacementProfile profile)
    {
        profile = All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal))!;
        return profile is not null;
    }

    /// <summary>The profile of a policy; throws naming the valid policies when <paramref name="name"/> is unknown.</summary>
    public static PlacementProfile Get(string name) =>
        TryGet(name, out var profile)
            ? profile
            : throw new ArgumentException($"unknown policy '{name}'; choose one of: {string.Join(", ", Names)}", nameof(name));
}
