namespace Berth.TestKit.Kubernetes.Fake;

/// <summary>
/// What a resource URL names, parsed exactly as the real server's routes:
/// <c>/api/v1/{plural}[/{name}[/{sub}]]</c>, <c>/api/v1/namespaces/{ns}/{plural}[/{name}[/{sub}]]</c>, and the same
/// under <c>/apis/{group}/{version}</c>. A collection URL without a namespace is the cluster-scoped list, or for a
/// namespaced resource the all-namespaces list.
/// </summary>
internal sealed record RequestTarget(ResourceDefinition Resource, string? Namespace, string? Name, string? Subresource)
{
    /// <summary>The resource as verbs and fault injection name it: <c>pods</c>, or <c>pods/binding</c> for a subresource.</summary>
    public string ResourceName => Subresource is null ? Resource.Plural : Resource.Plural + "/" + Subresource;

    public ObjectKey Key => new(Resource, Namespace ?? "", Name ?? "");

    /// <summary>The target, or null when no served resource matches the path (a 404).</summary>
    public static RequestTarget? Parse(string path, ResourceRegistry registry)
    {
        var segments = path.Trim('/').Split('/');
        string group;
        string version;
        string[] rest;
        if (segments.Length >= 3 && segments[0] == "api")
        {
            (group, version, rest) = ("", segments[1], segments[2..]);
        }
        else if (segments.Length >= 4 && segments[0] == "apis")
        {
            (group, version, rest) = (segments[1], segments[2], segments[3..]);
        }
        else
        {
            return null;
        }

        string? @namespace = null;

        // namespaces/{ns}/status and namespaces/{ns}/finalize are the Namespace's own subresources.
        if (rest.Length >= 3 && rest[0] == "namespaces" && !(rest.Length == 3 && rest[2] is "status" or "finalize"))
        {
            @namespace = rest[1];
            rest = rest[2..];
        }

        if (rest.Length is 0 or > 3 || rest.Any(string.IsNullOrEmpty))
        {
            return null;
        }

        var resource = registry.Find(group, version, rest[0]);
        if (resource is null || (@namespace is not null && !resource.Namespaced))
        {
            return null;
        }

        var name = rest.Length > 1 ? rest[1] : null;
        if (name is not null && resource.Namespaced && @namespace is null)
        {
            return null;
        }

        return new RequestTarget(resource, @namespace, name, rest.Length > 2 ? rest[2] : null);
    }
}
