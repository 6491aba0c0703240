using System.Globalization;
using System.Text.Json.Nodes;

namespace Berth.TestKit.Kubernetes.Fake;

/// <summary>
/// The eviction subresource's PodDisruptionBudget check (pkg/registry/core/pod/storage/eviction.go), with what the
/// disruption controller would have written into the budget's status computed on the spot instead.
/// <para>
/// Faithful: pods that are Pending, Succeeded, Failed or being deleted are evicted without a check; more than one
/// matching budget is a 500; a healthy pod (Running with Ready=True) may go when
/// <c>currentHealthy - 1 &gt;= desiredHealthy</c>; an unhealthy running pod may go when
/// <c>currentHealthy &gt;= desiredHealthy</c> (policy IfHealthyBudget) or always (AlwaysAllow); a refusal is a 429
/// with a DisruptionBudget cause. Simplified: the expected pod count (for percentages and maxUnavailable) is the
/// number of non-terminal pods the selector matches, not the owning controller's scale; the budget's status is not
/// updated.
/// </para>
/// </summary>
internal static class DisruptionBudgets
{
    /// <summary>Null when the pod may be evicted, else the refusal.</summary>
    public static ApiResult? Check(ObjectStore store, ResourceDefinition pdbResource, ResourceDefinition podResource, JsonObject pod)
    {
        var phase = JsonMeta.Text(pod, "status.phase");
        if (JsonMeta.IsBeingDeleted(pod) || phase is "Pending" or "Succeeded" or "Failed")
        {
            return null;
        }

        var @namespace = JsonMeta.Namespace(pod) ?? "";
        var podLabels = JsonMeta.Labels(pod);
        var budgets = store.List(pdbResource, @namespace)
            .Where(entry => LabelSelector.FromObject(entry.Object["spec"]?["selector"]).Matches(podLabels))
            .Select(entry => entry.Object)
            .ToList();
        if (budgets.Count == 0)
        {
            return null;
        }

        if (budgets.Count > 1)
        {
            return ApiStatus.InternalError(
                "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.");
        }

        var budget = budgets[0];
        var selector = LabelSelector.FromObject(budget["spec"]?["selector"]);
        var covered = store.List(podResource, @namespace)
            .Select(entry => entry.Object)
            .Where(p => selector.Matches(p) && JsonMeta.Text(p, "status.phase") is not ("Succeeded" or "Failed"))
            .ToList();
        var expected = covered.Count;
        var healthy = covered.Count(IsHealthy);
        var desired = DesiredHealthy(budget["spec"], expected);

        var allowed = IsHealthy(pod)
            ? healthy - 1 >= desired
            : healthy >= desired || JsonMeta.Text(budget, "spec.unhealthyPodEvictionPolicy") == "AlwaysAllow";
        if (allowed)
        {
            return null;
        }

        var name = JsonMeta.Name(budget);
        var details = new JsonObject
        {
            ["causes"] = new JsonArray(new JsonObject
            {
                ["reason"] = "DisruptionBudget",
                ["message"] = $"The disruption budget {name} needs {desired} healthy pods and has {healthy} currently",
            }),
        };
        return ApiStatus.TooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", details);
    }

    /// <summary>Running with condition Ready=True and not being deleted, as the disruption controller counts.</summary>
    public static bool IsHealthy(JsonObject pod)
    {
        if (JsonMeta.IsBeingDeleted(pod) || JsonMeta.Text(pod, "status.phase") != "Running")
        {
            return false;
        }

        return pod["status"]?["conditions"] is JsonArray conditions &&
            conditions.Any(c => JsonMeta.Text(c, "type") == "Ready" && JsonMeta.Text(c, "status") == "True");
    }

    private static int DesiredHealthy(JsonNode? spec, int expected)
    {
        if (spec?["minAvailable"] is { } minAvailable)
        {
            return Scaled(minAvailable, expected);
        }

        if (spec?["maxUnavailable"] is { } maxUnavailable)
        {
            return Math.Max(0, expected - Scaled(maxUnavailable, expected));
        }

        // Neither set: treated as minAvailable 1 (policy/v1beta1's default).
        return 1;
    }

    /// <summary>An IntOrString: an integer, or a percentage of <paramref name="total"/> rounded up (as GetScaledValueFromIntOrPercent with roundUp).</summary>
    private static int Scaled(JsonNode value, int total)
    {
        var text = JsonMeta.Scalar(value) ?? "0";
        if (text.EndsWith('%'))
        {
            var percent = int.Parse(text[..^1], NumberStyles.Integer, CultureInfo.InvariantCulture);
            return (int)Math.Ceiling(percent * total / 100.0);
        }

        return int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture);
    }
}
