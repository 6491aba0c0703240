namespace Berth.TestKit.Kubernetes.Fake;

/// <summary>Where an object is stored: its resource (group, version, plural), namespace (empty when cluster-scoped) and name.</summary>
internal readonly record struct ObjectKey(ResourceDefinition Resource, string Namespace, string Name)
{
    /// <summary>The order lists use, as etcd's keys sort: by namespace, then name.</summary>
    public string SortKey => Namespace + "/" + Name;
}
