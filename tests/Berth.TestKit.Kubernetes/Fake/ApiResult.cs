using System.Text.Json.Nodes;

namespace Berth.TestKit.Kubernetes.Fake;

/// <summary>An HTTP answer: the status code and the JSON body (an object, or a <c>Status</c> on failure).</summary>
internal sealed record ApiResult(int StatusCode, JsonObject Body)
{
    public bool IsSuccess => StatusCode is >= 200 and < 300;
}
