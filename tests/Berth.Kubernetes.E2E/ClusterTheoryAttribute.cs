namespace Berth.Kubernetes.E2E;

/// <summary>A theory that needs a real cluster: skipped, with the reason, unless <c>KUBECONFIG</c> is set.</summary>
public sealed class ClusterTheoryAttribute : TheoryAttribute
{
    public ClusterTheoryAttribute()
    {
        if (ClusterEnvironment.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
