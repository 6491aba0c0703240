using System.Reflection;
using System.Text.Json;

namespace Berth.Simulation.Reports;

/// <summary>
/// Chart.js (MIT, npm package <c>chart.js</c>), embedded at build time from web/node_modules and inlined into
/// every report so that it opens without a network. Chosen over ECharts and uPlot: one 200 KB file with no
/// dependencies to inline, canvas rendering that copes with thousands of points, built-in legends and
/// tooltips, and the widest use and upkeep of the three, so the dashboard can use the same library.
/// </summary>
public static class ChartJs
{
    private static readonly Lazy<string> LazyScript = new(() =>
    {
        var text = Resource("chart.umd.min.js");

        // The source map is not shipped; a dangling reference would only make browsers ask for it.
        var map = text.LastIndexOf("//# sourceMappingURL=", StringComparison.Ordinal);
        text = map >= 0 ? text[..map] : text;
        if (text.Contains("</script", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException("the embedded chart.js contains '</script' and cannot be inlined in a <script> element");
        }

        return text;
    });

    private static readonly Lazy<string> LazyVersion = new(() =>
    {
        using var package = JsonDocument.Parse(Resource("chart.js.package.json"));
        return package.RootElement.GetProperty("version").GetString() ?? "unknown";
    });

    /// <summary>The minified library, ready to place inside a <c>&lt;script&gt;</c> element (its licence banner kept).</summary>
    public static string Script => LazyScript.Value;

    /// <summary>The version of the embedded package, e.g. 4.6.1.</summary>
    public static string Version => LazyVersion.Value;

    /// <summary>The package's licence text.</summary>
    public static string License => Resource("chart.js.LICENSE.md");

    private static string Resource(string name)
    {
        var assembly = typeof(ChartJs).Assembly;
        using var stream = assembly.GetManifestResourceStream("Berth.Simulation.Reports." + name)
            ?? throw new InvalidOperationException($"resource {name} is missing from {assembly.GetName().Name}; the build embeds it from web/node_modules (npm ci)");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
