using Berth.Engine.Plugins.BestFit;
using Berth.Engine.Plugins.CpuOnlyPacking;
using Berth.Engine.Plugins.DotProd;
using Berth.Engine.Plugins.Fgd;
using Berth.Engine.Plugins.GpuClustering;
using Berth.Engine.Plugins.GpuFit;
using Berth.Engine.Plugins.GpuModel;
using Berth.Engine.Plugins.GpuPacking;
using Berth.Engine.Plugins.NodeResourcesFit;
using Berth.Engine.Plugins.NodeSelector;
using Berth.Engine.Plugins.RandomGpu;
using Berth.Engine.Plugins.ScarcityReserve;
using Berth.Engine.Plugins.TaintToleration;
using Berth.Engine.Plugins.TightestFit;

namespace Berth.Engine.Framework;

/// <summary>The one place where plugins are registered, by name. No reflection scanning.</summary>
public static class PluginRegistry
{
    public const string NodeResourcesFit = Plugins.NodeResourcesFit.NodeResourcesFit.PluginName;
    public const string GpuModel = GpuModelFilter.PluginName;
    public const string GpuFit = Plugins.GpuFit.GpuFit.PluginName;
    public const string NodeSelector = NodeSelectorFilter.PluginName;
    public const string TaintToleration = TaintTolerationFilter.PluginName;
    public const string TightestFit = TightestFitGpuSelector.PluginName;
    public const string RandomGpu = RandomGpuSelector.PluginName;
    public const string Fgd = FgdPlugin.ContinuousName;
    public const string FgdQuantised = FgdPlugin.QuantisedName;
    public const string FgdReserve = FgdReservePlugin.PluginName;

    public const string BestFit = BestFitScore.PluginName;
    public const string DotProd = DotProdScore.PluginName;
    public const string GpuPacking = GpuPackingScore.PluginName;
    public const string GpuClustering = GpuClusteringScore.PluginName;
    public const string CpuOnlyPacking = CpuOnlyPackingScore.PluginName;

    /// <summary>The filters every built-in policy runs, cheapest and most selective first.</summary>
    public static readonly IReadOnlyList<string> DefaultFilters = [GpuModel, GpuFit, NodeResourcesFit, NodeSelector, TaintToleration];

    private static readonly Dictionary<string, Func<PluginContext, IPlugin>> Factories = new(StringComparer.Ordinal)
    {
        [NodeResourcesFit] = _ => new Plugins.NodeResourcesFit.NodeResourcesFit(),
        [GpuModel] = _ => new GpuModelFilter(),
        [GpuFit] = _ => new Plugins.GpuFit.GpuFit(),
        [NodeSelector] = _ => new NodeSelectorFilter(),
        [TaintToleration] = _ => new TaintTolerationFilter(),
        [TightestFit] = _ => new TightestFitGpuSelector(),
        [RandomGpu] = _ => new RandomGpuSelector(),
        [Fgd] = c => new FgdPlugin(c.Cluster, c.Fragments, quantised: false),
        [FgdQuantised] = c => new FgdPlugin(c.Cluster, c.Fragments, quantised: true),
        [FgdReserve] = c => new FgdReservePlugin(c.Cluster, c.Fragments),

        [BestFit] = _ => new BestFitScore(),
        [DotProd] = _ => new DotProdScore(),
        [GpuPacking] = _ => new GpuPackingScore(),
        [GpuClustering] = c => new GpuClusteringScore(c.Cluster),
        [CpuOnlyPacking] = _ => new CpuOnlyPackingScore(),
    };

    /// <summary>Every registered plugin name, sorted.</summary>
    public static IReadOnlyList<string> Names { get; } = Factories.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>Creates a plugin; throws naming the valid names when <paramref name="name"/> is unknown.</summary>
    public static IPlugin Create(string name, PluginContext context)
    {
        if (!Factories.TryGetValue(name, out var factory))
        {
            throw new ArgumentException($"unknown plugin '{name}'; registered plugins: {string.Join(", ", Names)}", nameof(name));
        }

        return factory(context);
    }
}
