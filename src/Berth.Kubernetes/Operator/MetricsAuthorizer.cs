using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Operator;

/// <summary>
/// Who may read <c>/metrics</c>, decided by the API server as controller-runtime's secure metrics serving does: the
/// bearer token goes to a TokenReview (authentication), the user it names to a SubjectAccessReview for <c>get</c>
/// on the non-resource URL <c>/metrics</c> (authorization). Grant a scraper with a ClusterRole rule
/// <c>nonResourceURLs: ["/metrics"], verbs: ["get"]</c>.
/// </summary>
public sealed class MetricsAuthorizer(IKubernetes client)
{
    /// <summary>200 when allowed, 401 without a valid token, 403 when the token's user may not get <c>/metrics</c>.</summary>
    public async Task<int> AuthorizeAsync(string? authorization, CancellationToken cancellationToken)
    {
        const string Bearer = "Bearer ";
        if (authorization is null || !authorization.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase) || authorization.Length == Bearer.Length)
        {
            return 401;
        }

        if (await AccessReviews.UserAsync(client, authorization[Bearer.Length..].Trim(), cancellationToken).ConfigureAwait(false) is not { } user)
        {
            return 401;
        }

        return await AccessReviews.AllowedAsync(client, user, null, new V1NonResourceAttributes { Path = "/metrics", Verb = "get" }, cancellationToken).ConfigureAwait(false) ? 200 : 403;
    }
}
