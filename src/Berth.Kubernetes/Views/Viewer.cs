namespace Berth.Kubernetes.Views;

/// <summary>
/// Who looks at the operator's read-only views, as the API server said (TokenReview), and what they may see
/// (SubjectAccessReview): with <see cref="EveryQueue"/> every queue and every workload; otherwise the workloads of
/// <see cref="Namespaces"/> and the queues those namespaces may use (a Queue's <c>namespaceSelector</c>). Immutable.
/// </summary>
public sealed record Viewer(string User, IReadOnlyList<string> Groups, bool EveryQueue, IReadOnlySet<string> Namespaces)
{
    /// <summary>True when this viewer may see workloads of <paramref name="ns"/>.</summary>
    public bool Sees(string ns) => EveryQueue || Namespaces.Contains(ns);
}
