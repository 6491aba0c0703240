using System.Text.Json.Nodes;

namespace Berth.Kubernetes.Webhook;

/// <summary>What the webhook answers for one request: allowed or not, why, and a JSON patch (mutating only).</summary>
internal sealed record WebhookVerdict(bool Allow, string? Message, JsonArray? Patch)
{
    public static WebhookVerdict Allowed { get; } = new(true, null, null);

    public static WebhookVerdict Denied(string message) => new(false, message, null);

    /// <param name="message">A warning for the user (null: none, for a patch that only records facts).</param>
    public static WebhookVerdict Patched(JsonArray patch, string? message) => new(true, message, patch);
}
