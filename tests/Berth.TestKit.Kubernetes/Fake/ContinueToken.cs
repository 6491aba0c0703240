using System.Text;
using System.Text.Json.Nodes;

namespace Berth.TestKit.Kubernetes.Fake;

/// <summary>
/// The <c>continue</c> token of a paged list, in the real server's shape: base64 of
/// <c>{"v":"meta.k8s.io/v1","rv":N,"start":"ns/name\u0000"}</c>, where <c>rv</c> is the first page's resourceVersion
/// and <c>start</c> the first key after the previous page.
/// </summary>
internal static class ContinueToken
{
    public static string Encode(long resourceVersion, string lastKey)
    {
        var json = new JsonObject
        {
            ["v"] = "meta.k8s.io/v1",
            ["rv"] = resourceVersion,
            ["start"] = lastKey + "\u0000",
        };
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json.ToJsonString()));
    }

    public static bool TryDecode(string token, out long resourceVersion, out string start)
    {
        resourceVersion = 0;
        start = "";
        try
        {
            var json = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token)));
            if (json?["rv"] is JsonValue rv && json["start"] is JsonValue startValue &&
                rv.TryGetValue(out resourceVersion) && startValue.TryGetValue<string>(out var text))
            {
                start = text;
                return true;
            }
        }
        catch (FormatException)
        {
        }
        catch (System.Text.Json.JsonException)
        {
        }

        return false;
    }
}
