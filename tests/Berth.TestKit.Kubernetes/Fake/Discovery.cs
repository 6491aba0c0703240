using System.Text.Json.Nodes;

namespace Berth.TestKit.Kubernetes.Fake;

/// <summary>Minimal discovery documents: <c>/version</c>, <c>/api</c>, <c>/apis</c>, <c>/api/v1</c>, <c>/apis/{group}[/{version}]</c>.</summary>
internal static class Discovery
{
    /// <summary>The document for a discovery path, or null when the path is not one.</summary>
    public static JsonObject? Describe(string path, ResourceRegistry registry)
    {
        var segments = path.Trim('/').Split('/');
        return segments switch
        {
            ["version"] => new JsonObject
            {
                ["major"] = "1",
                ["minor"] = "33",
                ["gitVersion"] = "v1.33.0-berth-fake",
                ["platform"] = "linux/amd64",
            },
            ["api"] => new JsonObject
            {
                ["kind"] = "APIVersions",
                ["versions"] = new JsonArray("v1"),
                ["serverAddressByClientCIDRs"] = new JsonArray(),
            },
            ["apis"] => new JsonObject
            {
                ["kind"] = "APIGroupList",
                ["apiVersion"] = "v1",
                ["groups"] = new JsonArray(Groups(registry).Select(g => (JsonNode)Group(registry, g)).ToArray()),
            },
            ["api", "v1"] => Resources(registry, "", "v1"),
            ["apis", var group] when Groups(registry).Contains(group) => Group(registry, group),
            ["apis", var group, var version] when registry.All.Any(r => r.Group == group && r.Version == version) =>
                Resources(registry, group, version),
            _ => null,
        };
    }

    private static List<string> Groups(ResourceRegistry registry) =>
        registry.All.Select(r => r.Group).Where(g => g.Length > 0).Distinct().ToList();

    private static JsonObject Group(ResourceRegistry registry, string group)
    {
        var versions = registry.All.Where(r => r.Group == group).Select(r => r.Version).Distinct().ToList();
        return new JsonObject
        {
            ["kind"] = "APIGroup",
            ["apiVersion"] = "v1",
            ["name"] = group,
            ["versions"] = new JsonArray(versions.Select(v => (JsonNode)Version(group, v)).ToArray()),
            ["preferredVersion"] = Version(group, versions[0]),
        };
    }

    private static JsonObject Version(string group, string version) => new()
    {
        ["groupVersion"] = group + "/" + version,
        ["version"] = version,
    };

    private static JsonObject Resources(ResourceRegistry registry, string group, string version)
    {
        var resources = new JsonArray();
        foreach (var resource in registry.All.Where(r => r.Group == group && r.Version == version))
        {
            resources.Add(Resource(resource.Plural, resource, ["create", "delete", "get", "list", "patch", "update", "watch"]));
            if (resource.HasStatusSubresource)
            {
                resources.Add(Resource(resource.Plural + "/status", resource, ["get", "patch", "update"]));
            }

            if (resource.Is("", "pods"))
            {
                resources.Add(Resource("pods/binding", resource, ["create"]));
                resources.Add(Resource("pods/eviction", resource, ["create"]));
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : group + "/" + version,
            ["resources"] = resources,
        };
    }

    private static JsonObject Resource(string name, ResourceDefinition resource, string[] verbs) => new()
    {
        ["name"] = name,
        ["singularName"] = name.Contains('/', StringComparison.Ordinal) ? "" : resource.Kind.ToLowerInvariant(),
        ["namespaced"] = resource.Namespaced,
        ["kind"] = resource.Kind,
        ["verbs"] = new JsonArray(verbs.Select(v => (JsonNode)v).ToArray()),
    };
}
