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

        var review = await client.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview
        {
            ApiVersion = "authentication.k8s.io/v1",
            Kind = "TokenReview",
            Spec = new V1TokenReviewSpec { Token = authorization[Bearer.Length..].Trim() },
        }, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (review.Status?.Authenticated != true || review.Status.User is not { } user)
        {
            return 401;
        }

        var access = await client.AuthorizationV1.CreateSubjectAccessReviewAsync(new V1SubjectAccessReview
        {
            ApiVersion = "authorization.k8s.io/v1",
            Kind = "SubjectAccessReview",
            Spec = new V1SubjectAccessReviewSpec
            {
                User = user.Username,
                Uid = user.Uid,
                Groups = user.Groups,
                Extra = user.Extra,
                NonResourceAttributes = new V1NonResourceAttributes { Path = "/metrics", Verb = "get" },
            },
        }, cancellationToken: cancellationToken).ConfigureAwait(false);
        return access.Status?.Allowed == true ? 200 : 403;
    }
}
