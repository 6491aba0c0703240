namespace Berth.Kubernetes.E2E;

/// <summary>A fact that needs a real cluster: skipped, with the reason, unless <c>KUBECONFIG</c> is set.</summary>
public sealed class ClusterFactAttribute : FactAttribute
{
    public ClusterFactAttribute()
    {
        if (ClusterEnvironment.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
