using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Berth.Web;

/// <summary>
/// The dashboard's files (HTML, CSS, JS and Chart.js from npm), embedded in this assembly at build time and served under
/// <c>/ui</c> by the process itself: clusters are often offline, so nothing comes from a CDN. Each answer carries a
/// strong ETag of its bytes; a browser revalidates and gets 304 when nothing changed.
/// </summary>
public static class DashboardAssets
{
    private const string Prefix = "Berth.Web.Assets.";

    private static readonly Lazy<FrozenDictionary<string, Asset>> Files = new(Load);

    /// <summary>The names of the embedded files (e.g. <c>index.html</c>, <c>chart.umd.min.js</c>).</summary>
    public static IReadOnlyCollection<string> Names => Files.Value.Keys;

    internal static void Map(IEndpointRouteBuilder app, bool redirectRoot)
    {
        if (redirectRoot)
        {
            app.MapGet("/", () => Results.Redirect("/ui/")).ExcludeFromDescription();
        }

        // Routing matches /ui and /ui/ alike: only the first is sent on to /ui/, where the page's relative links work.
        app.MapGet("/ui", (HttpContext http) => http.Request.Path.Value!.EndsWith('/') ? Serve(http, "index.html") : Results.Redirect("/ui/")).ExcludeFromDescription();
        app.MapGet("/ui/{**path}", (HttpContext http, string? path) => Serve(http, string.IsNullOrEmpty(path) ? "index.html" : path)).ExcludeFromDescription();
    }

    private static IResult Serve(HttpContext http, string path)
    {
        if (!Files.Value.TryGetValue(path, out var asset))
        {
            return Problems.Of(404, "path", $"the dashboard has no file {path}; open /ui/");
        }

        http.Response.Headers.ETag = asset.ETag;
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers.XContentTypeOptions = "nosniff";
        if (http.Request.Headers.IfNoneMatch.ToString() == asset.ETag)
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Bytes(asset.Bytes, asset.ContentType);
    }

    private static FrozenDictionary<string, Asset> Load()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        var files = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            var name = resource[Prefix.Length..];
            files[name] = new Asset(bytes, ContentTypeOf(name), "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..16] + "\"");
        }

        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string ContentTypeOf(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".md" => "text/markdown; charset=utf-8",
        _ => "application/octet-stream",
    };

    private sealed record Asset(byte[] Bytes, string ContentType, string ETag);
}
