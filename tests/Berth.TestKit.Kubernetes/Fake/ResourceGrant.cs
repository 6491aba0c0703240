namespace Berth.TestKit.Kubernetes.Fake;

/// <summary>
/// One RBAC grant as the fake's authorizer knows it: a rule (<paramref name="Verb"/> on <paramref name="Resource"/> in
/// API group <paramref name="ApiGroup"/>, each may be <c>*</c>) bound to a user or a group, cluster-wide (a
/// ClusterRoleBinding, <paramref name="Namespace"/> null) or in one namespace (a RoleBinding).
/// </summary>
internal sealed record ResourceGrant(string Subject, bool IsGroup, string Verb, string ApiGroup, string Resource, string? Namespace)
{
    /// <summary>
    /// True when this grant allows the request, as RBAC decides: the subject matches the user or one of its groups, the
    /// rule matches verb, group and resource (<c>resource/subresource</c> when a subresource is asked), and a RoleBinding
    /// allows only its own namespace (never the all-namespaces request, whose namespace is empty).
    /// </summary>
    public bool Allows(string user, IReadOnlyCollection<string> groups, string verb, string apiGroup, string resource, string ns) =>
        (IsGroup ? groups.Contains(Subject) : Subject == user)
        && (Verb == "*" || Verb == verb)
        && (ApiGroup == "*" || ApiGroup == apiGroup)
        && (Resource == "*" || Resource == resource)
        && (Namespace is null || (ns.Length > 0 && Namespace == ns));
}
