namespace Berth.Kubernetes.Api;

/// <summary>
/// Where a custom resource lives in the API: what <c>client.CustomObjects.ListClusterCustomObjectAsync(group,
/// version, plural)</c> (cluster-scoped) or <c>ListNamespacedCustomObjectAsync(group, version, namespace, plural)</c>
/// (namespaced) need.
/// </summary>
public sealed record CustomResourceInfo(string Group, string Version, string Plural, string Kind, bool Namespaced)
{
    /// <summary><c>group/version</c>, as in an object's <c>apiVersion</c>.</summary>
    public string ApiVersion => Group + "/" + Version;

    /// <summary>The kind of the list the API server returns (<c>QueueList</c>).</summary>
    public string ListKind => Kind + "List";

    /// <summary>The CRD's name, <c>plural.group</c> (<c>queues.berth.dev</c>).</summary>
    public string CrdName => Plural + "." + Group;
}
