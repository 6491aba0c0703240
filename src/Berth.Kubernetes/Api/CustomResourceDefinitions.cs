namespace Berth.Kubernetes.Api;

/// <summary>Berth's custom resources (group <c>berth.dev</c>, version <c>v1alpha1</c>); their CRDs are in deploy/crds/.</summary>
public static class CustomResourceDefinitions
{
    public static CustomResourceInfo Queue { get; } = new(KubernetesNames.Group, KubernetesNames.Version, Api.Queue.KubePluralName, Api.Queue.KubeKind, Namespaced: false);

    public static CustomResourceInfo Cohort { get; } = new(KubernetesNames.Group, KubernetesNames.Version, Api.Cohort.KubePluralName, Api.Cohort.KubeKind, Namespaced: false);

    public static CustomResourceInfo Flavor { get; } = new(KubernetesNames.Group, KubernetesNames.Version, Api.Flavor.KubePluralName, Api.Flavor.KubeKind, Namespaced: false);

    public static CustomResourceInfo PodGroup { get; } = new(KubernetesNames.Group, KubernetesNames.Version, Api.PodGroup.KubePluralName, Api.PodGroup.KubeKind, Namespaced: true);

    /// <summary>All four, in the order they are best created: flavors, cohorts, queues, pod groups.</summary>
    public static IReadOnlyList<CustomResourceInfo> All { get; } = [Flavor, Cohort, Queue, PodGroup];

    /// <summary>
    /// The C# types of each kind, keyed by <c>apiVersion/kind</c> as <c>k8s.KubernetesYaml.LoadAllFromString</c>
    /// expects, so that manifests with Berth objects load typed.
    /// </summary>
    public static IReadOnlyDictionary<string, Type> Types { get; } = new Dictionary<string, Type>(StringComparer.Ordinal)
    {
        [KubernetesNames.ApiVersion + "/" + Api.Queue.KubeKind] = typeof(Api.Queue),
        [KubernetesNames.ApiVersion + "/" + Api.QueueList.KubeKind] = typeof(QueueList),
        [KubernetesNames.ApiVersion + "/" + Api.Cohort.KubeKind] = typeof(Api.Cohort),
        [KubernetesNames.ApiVersion + "/" + Api.CohortList.KubeKind] = typeof(CohortList),
        [KubernetesNames.ApiVersion + "/" + Api.Flavor.KubeKind] = typeof(Api.Flavor),
        [KubernetesNames.ApiVersion + "/" + Api.FlavorList.KubeKind] = typeof(FlavorList),
        [KubernetesNames.ApiVersion + "/" + Api.PodGroup.KubeKind] = typeof(Api.PodGroup),
        [KubernetesNames.ApiVersion + "/" + Api.PodGroupList.KubeKind] = typeof(PodGroupList),
    };
}
