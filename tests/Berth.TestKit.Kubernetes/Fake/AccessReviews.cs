using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Berth.TestKit.Kubernetes.Fake;

/// <summary>
/// What the fake answers to TokenReview (<c>authentication.k8s.io/v1</c>) and SubjectAccessReview
/// (<c>authorization.k8s.io/v1</c>): tokens a test registers name users and their groups (every authenticated user
/// is also in <c>system:authenticated</c>, as on a real API server); users a test grants may <c>get</c> a non-resource
/// URL, and users or groups may act on resources cluster-wide (a ClusterRoleBinding) or in one namespace (a
/// RoleBinding), with RBAC's matching of verbs, API groups, resources and <c>*</c>. Like the real API server the
/// reviews are answered, not stored. Thread-safe.
/// </summary>
public sealed class AccessReviews
{
    private readonly ConcurrentDictionary<string, (string User, string[] Groups)> _users = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string User, string Verb, string Path), bool> _grants = new();
    private readonly ConcurrentQueue<ResourceGrant> _resourceGrants = new();
    private int _subjectAccessReviews;

    /// <summary>SubjectAccessReviews answered so far (a test of a cache counts them).</summary>
    public int SubjectAccessReviews => Volatile.Read(ref _subjectAccessReviews);

    /// <summary>Makes <paramref name="token"/> authenticate as <paramref name="user"/>, member of <paramref name="groups"/> and <c>system:authenticated</c>.</summary>
    public void AddToken(string token, string user, params string[] groups) =>
        _users[token] = (user, [.. groups.Where(g => g != "system:authenticated"), "system:authenticated"]);

    /// <summary>Makes <paramref name="token"/> fail authentication from now on (an expired or revoked token).</summary>
    public void RevokeToken(string token) => _users.TryRemove(token, out _);

    /// <summary>Lets <paramref name="user"/> do <paramref name="verb"/> on the non-resource URL <paramref name="path"/> (a ClusterRole rule with nonResourceURLs).</summary>
    public void Grant(string user, string verb, string path) => _grants[(user, verb, path)] = true;

    /// <summary>
    /// Lets <paramref name="user"/> do <paramref name="verb"/> on <paramref name="resource"/> of API group
    /// <paramref name="apiGroup"/> (<c>""</c> for the core group): in namespace <paramref name="inNamespace"/> (a
    /// RoleBinding), or everywhere when it is null (a ClusterRoleBinding).
    /// </summary>
    public void GrantResource(string user, string verb, string apiGroup, string resource, string? inNamespace = null) =>
        _resourceGrants.Enqueue(new ResourceGrant(user, IsGroup: false, verb, apiGroup, resource, inNamespace));

    /// <summary>As <see cref="GrantResource"/>, bound to every member of <paramref name="group"/>.</summary>
    public void GrantGroupResource(string group, string verb, string apiGroup, string resource, string? inNamespace = null) =>
        _resourceGrants.Enqueue(new ResourceGrant(group, IsGroup: true, verb, apiGroup, resource, inNamespace));

    internal JsonObject Review(string plural, JsonObject body)
    {
        var status = plural switch
        {
            "tokenreviews" => body["spec"]?["token"]?.GetValue<string>() is { } token && _users.TryGetValue(token, out var user)
                ? new JsonObject { ["authenticated"] = true, ["user"] = new JsonObject { ["username"] = user.User, ["groups"] = new JsonArray([.. user.Groups.Select(g => (JsonNode?)JsonValue.Create(g))]) } }
                : new JsonObject { ["authenticated"] = false, ["error"] = "invalid bearer token" },
            _ => new JsonObject { ["allowed"] = Allowed(body["spec"] as JsonObject) },
        };
        var answer = body.DeepClone().AsObject();
        answer["status"] = status;
        return answer;
    }

    private bool Allowed(JsonObject? spec)
    {
        Interlocked.Increment(ref _subjectAccessReviews);
        if (spec?["user"]?.GetValue<string>() is not { } subject)
        {
            return false;
        }

        if (spec["nonResourceAttributes"] is JsonObject nonResource)
        {
            return _grants.ContainsKey((subject, nonResource["verb"]?.GetValue<string>() ?? string.Empty, nonResource["path"]?.GetValue<string>() ?? string.Empty));
        }

        if (spec["resourceAttributes"] is not JsonObject attributes)
        {
            return false;
        }

        var groups = (spec["groups"] as JsonArray)?.Select(g => g?.GetValue<string>()).OfType<string>().ToArray() ?? [];
        var verb = attributes["verb"]?.GetValue<string>() ?? string.Empty;
        var apiGroup = attributes["group"]?.GetValue<string>() ?? string.Empty;
        var resource = attributes["resource"]?.GetValue<string>() ?? string.Empty;
        if (attributes["subresource"]?.GetValue<string>() is { Length: > 0 } sub)
        {
            resource += "/" + sub;
        }

        var ns = attributes["namespace"]?.GetValue<string>() ?? string.Empty;
        return _resourceGrants.Any(g => g.Allows(subject, groups, verb, apiGroup, resource, ns));
    }
}
