using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Operator;

/// <summary>
/// The two questions the operator asks the API server about a caller (<see cref="MetricsAuthorizer"/>, the dashboard's
/// <see cref="Views.ViewerAuthorizer"/>): who a bearer token is (TokenReview) and whether that user may do something
/// (SubjectAccessReview), so both authorizers ask them the same way.
/// </summary>
internal static class AccessReviews
{
    /// <summary>The user the API server says <paramref name="token"/> is; null when it does not accept the token.</summary>
    public static async Task<V1UserInfo?> UserAsync(IKubernetes client, string token, CancellationToken cancellationToken)
    {
        var review = await client.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview
        {
            ApiVersion = "authentication.k8s.io/v1",
            Kind = "TokenReview",
            Spec = new V1TokenReviewSpec { Token = token },
        }, cancellationToken: cancellationToken).ConfigureAwait(false);
        return review.Status?.Authenticated == true ? review.Status.User : null;
    }

    /// <summary>True when <paramref name="user"/> may act on <paramref name="resource"/> or on <paramref name="path"/> (give one).</summary>
    public static async Task<bool> AllowedAsync(IKubernetes client, V1UserInfo user, V1ResourceAttributes? resource, V1NonResourceAttributes? path, CancellationToken cancellationToken)
    {
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
                ResourceAttributes = resource,
                NonResourceAttributes = path,
            },
        }, cancellationToken: cancellationToken).ConfigureAwait(false);
        return access.Status?.Allowed == true;
    }
}
