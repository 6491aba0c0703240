using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Berth.Kubernetes.Tests.Fake;

/// <summary>
/// What the fake answers to TokenReview (<c>authentication.k8s.io/v1</c>) and SubjectAccessReview
/// (<c>authorization.k8s.io/v1</c>): tokens a test registers name users; users a test grants may <c>get</c> a
/// non-resource URL. Like the real API server the reviews are answered, not stored. Thread-safe.
/// </summary>
public sealed class AccessReviews
{
    private readonly ConcurrentDictionary<string, string> _users = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string User, string Verb, string Path), bool> _grants = new();

    /// <summary>Makes <paramref name="token"/> authenticate as <paramref name="user"/>.</summary>
    public void AddToken(string token, string user) => _users[token] = user;

    /// <summary>Lets <paramref name="user"/> do <paramref name="verb"/> on the non-resource URL <paramref name="path"/> (a ClusterRole rule with nonResourceURLs).</summary>
    public void Grant(string user, string verb, string path) => _grants[(user, verb, path)] = true;

    internal JsonObject Review(string plural, JsonObject body)
    {
        var status = plural switch
        {
            "tokenreviews" => body["spec"]?["token"]?.GetValue<string>() is { } token && _users.TryGetValue(token, out var user)
                ? new JsonObject { ["authenticated"] = true, ["user"] = new JsonObject { ["username"] = user, ["groups"] = new JsonArray("system:authenticated") } }
                : new JsonObject { ["authenticated"] = false, ["error"] = "invalid bearer token" },
            _ => new JsonObject
            {
                ["allowed"] = body["spec"]?["user"]?.GetValue<string>() is { } subject
                    && body["spec"]?["nonResourceAttributes"] is JsonObject nonResource
                    && _grants.ContainsKey((subject, nonResource["verb"]?.GetValue<string>() ?? string.Empty, nonResource["path"]?.GetValue<string>() ?? string.Empty)),
            },
        };
        var answer = body.DeepClone().AsObject();
        answer["status"] = status;
        return answer;
    }
}
