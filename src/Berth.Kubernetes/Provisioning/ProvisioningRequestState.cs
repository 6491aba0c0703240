using System.Globalization;
using System.Text.Json.Nodes;

namespace Berth.Kubernetes.Provisioning;

/// <summary>
/// What Berth reads back from one ProvisioningRequest (<c>autoscaling.x-k8s.io/v1</c>) it created: whose it is,
/// which attempt, and the autoscaler's conditions (<c>Accepted</c>, <c>Provisioned</c>, <c>Failed</c>,
/// <c>BookingExpired</c>, <c>CapacityRevoked</c>).
/// </summary>
public sealed record ProvisioningRequestState
{
    public const string Group = "autoscaling.x-k8s.io";

    public const string Version = "v1";

    public const string Plural = "provisioningrequests";

    public const string Kind = "ProvisioningRequest";

    /// <summary>Label on Berth's requests: the admission check they answer.</summary>
    public const string CheckLabel = "berth.dev/admission-check";

    /// <summary>Label on Berth's requests: the name of the Job or PodGroup they ask capacity for.</summary>
    public const string WorkloadLabel = "berth.dev/workload";

    /// <summary>Label on Berth's requests: <c>Job</c> or <c>PodGroup</c>.</summary>
    public const string WorkloadKindLabel = "berth.dev/workload-kind";

    /// <summary>Annotation on Berth's requests: the attempt, 1 for the first (a failed request is kept, and the next attempt is a new request).</summary>
    public const string AttemptAnnotation = "berth.dev/provisioning-attempt";

    /// <summary>Annotation Berth writes (RFC 3339) on a request once its workload started with it, or was sent back after it lapsed: a workload that waits again asks anew.</summary>
    public const string ConsumedAnnotation = "berth.dev/provisioning-consumed";

    public required string Namespace { get; init; }

    public required string Name { get; init; }

    public required string WorkloadKind { get; init; }

    public required string Workload { get; init; }

    public required string Check { get; init; }

    public int Attempt { get; init; }

    public bool Consumed { get; init; }

    public bool Provisioned { get; init; }

    public bool Failed { get; init; }

    /// <summary>When <c>Failed</c> became true (the backoff counts from here).</summary>
    public DateTimeOffset? FailedAt { get; init; }

    /// <summary><c>BookingExpired</c> or <c>CapacityRevoked</c>: the capacity is no longer held for the workload.</summary>
    public string? LostBy { get; init; }

    /// <summary>Reason and message of the deciding condition, for the check's message.</summary>
    public string? Detail { get; init; }

    /// <summary>Its capacity is gone or used: a workload that still waits needs a new request.</summary>
    public bool Spent => Consumed || LostBy is not null;

    /// <summary>Reads a request Berth labelled; null for one without Berth's labels.</summary>
    public static ProvisioningRequestState? From(JsonObject request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var meta = request["metadata"] as JsonObject;
        var labels = meta?["labels"] as JsonObject;
        var annotations = meta?["annotations"] as JsonObject;
        if (labels?[CheckLabel]?.GetValue<string>() is not { } check || labels[WorkloadLabel]?.GetValue<string>() is not { } workload || labels[WorkloadKindLabel]?.GetValue<string>() is not { } kind)
        {
            return null;
        }

        var conditions = (request["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>().Where(c => c["status"]?.GetValue<string>() == "True").ToList();
        JsonObject? Condition(string type) => conditions.FirstOrDefault(c => c["type"]?.GetValue<string>() == type);
        var failed = Condition("Failed");
        var lost = Condition("CapacityRevoked") ?? Condition("BookingExpired");
        var provisioned = Condition("Provisioned");
        var deciding = failed ?? lost ?? provisioned ?? Condition("Accepted");
        return new ProvisioningRequestState
        {
            Namespace = meta!["namespace"]?.GetValue<string>() ?? string.Empty,
            Name = meta["name"]?.GetValue<string>() ?? string.Empty,
            WorkloadKind = kind,
            Workload = workload,
            Check = check,
            Attempt = int.TryParse(annotations?[AttemptAnnotation]?.GetValue<string>(), NumberStyles.None, CultureInfo.InvariantCulture, out var attempt) ? attempt : 1,
            Consumed = annotations?[ConsumedAnnotation] is not null,
            Provisioned = provisioned is not null,
            Failed = failed is not null,
            FailedAt = DateTimeOffset.TryParse(failed?["lastTransitionTime"]?.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null,
            LostBy = lost?["type"]?.GetValue<string>(),
            Detail = deciding is null ? null : Describe(deciding),
        };
    }

    private static string Describe(JsonObject condition)
    {
        var reason = condition["reason"]?.GetValue<string>();
        var message = condition["message"]?.GetValue<string>();
        return $"{condition["type"]?.GetValue<string>()}{(string.IsNullOrEmpty(reason) ? string.Empty : " (" + reason + ")")}{(string.IsNullOrEmpty(message) ? string.Empty : ": " + message)}";
    }
}
