using Berth.Engine.Policies;

namespace Berth.Simulation.Reports;

/// <summary>
/// A fixed colour per policy (the Okabe-Ito palette, readable by colour-blind people), so a policy has the
/// same colour in every report. The live dashboard (Berth.Web's palette.js) uses the same colours in the same order,
/// so a report and the live view look alike (a browser test compares the two).
/// </summary>
public static class PolicyColors
{
    public static IReadOnlyList<string> Palette { get; } =
        ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#555555", "#8C6D31", "#7B3294", "#B8860B"];

    public static string For(string policy, int fallbackIndex)
    {
        var index = PlacementPolicies.Names.ToList().IndexOf(policy);
        return Palette[(index >= 0 ? index : PlacementPolicies.Names.Count + fallbackIndex) % Palette.Count];
    }
}
