namespace Berth.Kubernetes.E2E;

/// <summary>Every end-to-end test shares one operator and runs one at a time (they share the cluster's GPUs).</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
