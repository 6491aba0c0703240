namespace Berth.TestKit.Kubernetes.Fake;

/// <summary>The resources the fake serves: the built-in types Berth uses plus the options' custom resources.</summary>
internal sealed class ResourceRegistry
{
    private static readonly ResourceDefinition[] BuiltIns =
    [
        new("", "v1", "nodes", "Node", Namespaced: false) { BuiltIn = true },
        new("", "v1", "pods", "Pod", Namespaced: true) { BuiltIn = true },
        new("", "v1", "events", "Event", Namespaced: true, HasStatusSubresource: false) { BuiltIn = true },
        new("", "v1", "namespaces", "Namespace", Namespaced: false) { BuiltIn = true },
        new("", "v1", "secrets", "Secret", Namespaced: true, HasStatusSubresource: false) { BuiltIn = true },
        new("", "v1", "configmaps", "ConfigMap", Namespaced: true, HasStatusSubresource: false) { BuiltIn = true },
        new("", "v1", "podtemplates", "PodTemplate", Namespaced: true, HasStatusSubresource: false) { BuiltIn = true },
        new("batch", "v1", "jobs", "Job", Namespaced: true) { BuiltIn = true },
        new("apps", "v1", "deployments", "Deployment", Namespaced: true) { BuiltIn = true },
        new("apps", "v1", "statefulsets", "StatefulSet", Namespaced: true) { BuiltIn = true },
        new("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", Namespaced: true) { BuiltIn = true },
        new("coordination.k8s.io", "v1", "leases", "Lease", Namespaced: true, HasStatusSubresource: false) { BuiltIn = true },
        new("scheduling.k8s.io", "v1", "priorityclasses", "PriorityClass", Namespaced: false, HasStatusSubresource: false) { BuiltIn = true },
        new("events.k8s.io", "v1", "events", "Event", Namespaced: true, HasStatusSubresource: false) { BuiltIn = true },
        new("authentication.k8s.io", "v1", "tokenreviews", "TokenReview", Namespaced: false, HasStatusSubresource: false) { BuiltIn = true },
        new("authorization.k8s.io", "v1", "subjectaccessreviews", "SubjectAccessReview", Namespaced: false, HasStatusSubresource: false) { BuiltIn = true },
        new("admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations", "MutatingWebhookConfiguration", Namespaced: false, HasStatusSubresource: false) { BuiltIn = true },
        new("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations", "ValidatingWebhookConfiguration", Namespaced: false, HasStatusSubresource: false) { BuiltIn = true },
    ];

    private readonly Dictionary<(string Group, string Version, string Plural), ResourceDefinition> byPlural = [];
    private readonly Dictionary<(string ApiVersion, string Kind), ResourceDefinition> byKind = [];
    private readonly List<ResourceDefinition> all = [];

    public ResourceRegistry(IReadOnlyList<ResourceDefinition> customResources)
    {
        foreach (var resource in BuiltIns)
        {
            Add(resource);
        }

        foreach (var resource in customResources)
        {
            if (string.IsNullOrEmpty(resource.Group) || string.IsNullOrEmpty(resource.Version) ||
                string.IsNullOrEmpty(resource.Plural) || string.IsNullOrEmpty(resource.Kind))
            {
                throw new ArgumentException(
                    $"Custom resource {resource} needs a group, version, plural and kind.", nameof(customResources));
            }

            if (byPlural.ContainsKey((resource.Group, resource.Version, resource.Plural)))
            {
                throw new ArgumentException(
                    $"Custom resource {resource.QualifiedName}/{resource.Version} is registered twice.", nameof(customResources));
            }

            Add(resource with { BuiltIn = false });
        }
    }

    /// <summary>All resources, built-ins first, in registration order.</summary>
    public IReadOnlyList<ResourceDefinition> All => all;

    public ResourceDefinition? Find(string group, string version, string plural) =>
        byPlural.GetValueOrDefault((group, version, plural));

    public ResourceDefinition? FindKind(string apiVersion, string kind) =>
        byKind.GetValueOrDefault((apiVersion, kind));

    private void Add(ResourceDefinition resource)
    {
        byPlural.Add((resource.Group, resource.Version, resource.Plural), resource);
        all.Add(resource);

        // Two resources can share a kind (core and events.k8s.io Events differ by apiVersion, so this keeps both).
        byKind.TryAdd((resource.ApiVersion, resource.Kind), resource);
    }
}
