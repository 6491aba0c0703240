namespace Berth.TestKit.Kubernetes.Fake;

/// <summary>Settings of a <see cref="FakeApiServer"/>. All optional.</summary>
public sealed class FakeApiServerOptions
{
    /// <summary>Custom resources served besides the built-in types, e.g. Berth's CRDs (see <see cref="BerthResources"/>).</summary>
    public IReadOnlyList<ResourceDefinition> CustomResources { get; init; } = [];

    /// <summary>
    /// How many watch events the server keeps (like etcd before compaction). A watch that starts from a
    /// resourceVersion older than the oldest kept event gets a 410 Expired ERROR event.
    /// </summary>
    public int HistoryLimit { get; init; } = 10_000;

    /// <summary>
    /// How often a watch opened with <c>allowWatchBookmarks=true</c> gets a BOOKMARK event. Null (the default) sends
    /// bookmarks only when a test calls <see cref="FakeApiServer.SendBookmarks"/>, which keeps tests deterministic.
    /// </summary>
    public TimeSpan? BookmarkInterval { get; init; }

    /// <summary>The clock for creationTimestamp, deletionTimestamp and condition transition times.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Berth's custom resources: cluster-scoped queues, cohorts and flavors; namespaced podgroups; all with <c>/status</c>.
    /// Beside them the cluster autoscaler's namespaced <c>provisioningrequests.autoscaling.x-k8s.io/v1</c> (with
    /// <c>/status</c>, as its CRD has), which Berth's provisioning admission check creates.
    /// </summary>
    public static IReadOnlyList<ResourceDefinition> BerthResources { get; } =
    [
        new(KubernetesNames.Group, KubernetesNames.Version, "queues", "Queue", Namespaced: false),
        new(KubernetesNames.Group, KubernetesNames.Version, "cohorts", "Cohort", Namespaced: false),
        new(KubernetesNames.Group, KubernetesNames.Version, "flavors", "Flavor", Namespaced: false),
        new(KubernetesNames.Group, KubernetesNames.Version, "podgroups", "PodGroup", Namespaced: true),
        new("autoscaling.x-k8s.io", "v1", "provisioningrequests", "ProvisioningRequest", Namespaced: true),
    ];

    /// <summary>
    /// The job frameworks' CRDs, at the versions their projects publish (all namespaced, all with <c>/status</c>):
    /// JobSet <c>jobset.x-k8s.io/v1alpha2</c>, Kubeflow Trainer's TrainJob <c>trainer.kubeflow.org/v1alpha1</c>, the
    /// Training Operator's PyTorchJob <c>kubeflow.org/v1</c>, KubeRay's RayJob and RayCluster <c>ray.io/v1</c>,
    /// LeaderWorkerSet <c>leaderworkerset.x-k8s.io/v1</c>.
    /// </summary>
    public static IReadOnlyList<ResourceDefinition> FrameworkResources { get; } =
    [
        new("jobset.x-k8s.io", "v1alpha2", "jobsets", "JobSet", Namespaced: true),
        new("trainer.kubeflow.org", "v1alpha1", "trainjobs", "TrainJob", Namespaced: true),
        new("kubeflow.org", "v1", "pytorchjobs", "PyTorchJob", Namespaced: true),
        new("ray.io", "v1", "rayjobs", "RayJob", Namespaced: true),
        new("ray.io", "v1", "rayclusters", "RayCluster", Namespaced: true),
        new("leaderworkerset.x-k8s.io", "v1", "leaderworkersets", "LeaderWorkerSet", Namespaced: true),
    ];
}
